-- SPDX-License-Identifier: GPL-2.0-or-later
-- wrk script for tests/bench/bench.py: one new connection per request, ids
-- from a range, bodies in turn, results as JSON.  Run it with one thread
-- (wrk -t1): the id counter is per thread.
--
-- Environment (set by bench.py):
--   BW_PATH      request path; "{id}" is replaced by the current id
--   BW_METHOD    GET (default) or POST
--   BW_HEADERS   extra header lines, "Name: value", separated by "\n"
--   BW_BODIES    body files separated by ":"; request k sends body k mod n
--   BW_SIGS      optional: a Webhook-Signature per body, separated by ":"
--   BW_ID_FIRST, BW_ID_LAST
--                ids for "{id}": one per request, in order.  When the range
--                is used up: BW_ID_CYCLE=1 starts again at BW_ID_FIRST;
--                otherwise the thread stops and "exhausted" is reported
--                (the cell then ran shorter than wrk's duration).
--   BW_OUT       file that done() writes the JSON result to
--
-- Every request carries "Connection: close", so the server closes the
-- connection after the answer and wrk opens a new one, as Mautic does.
-- wrk's latency runs from the first byte written to the last byte read: the
-- TCP connect (about 0.1 ms on loopback) is not included.

local path = os.getenv("BW_PATH") or "/"
local method = os.getenv("BW_METHOD") or "GET"
local first = tonumber(os.getenv("BW_ID_FIRST") or "")
local last = tonumber(os.getenv("BW_ID_LAST") or "")
local cycle = os.getenv("BW_ID_CYCLE") == "1"
local out = os.getenv("BW_OUT")

local headers = { ["Connection"] = "close" }
for line in string.gmatch(os.getenv("BW_HEADERS") or "", "[^\n]+") do
	local k, v = string.match(line, "^([^:]+):%s*(.*)$")
	if k then
		headers[k] = v
	end
end

local bodies = {}
for f in string.gmatch(os.getenv("BW_BODIES") or "", "[^:]+") do
	local h = assert(io.open(f, "rb"))
	table.insert(bodies, h:read("*a"))
	h:close()
end

local sigs = {}
for sig in string.gmatch(os.getenv("BW_SIGS") or "", "[^:]+") do
	table.insert(sigs, sig)
end

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	nreq = 0          -- requests made
	next_id = first
	last_id = 0       -- the highest id sent
	exhausted = 0
	n2xx = 0
	nother = 0
	statuses = ""     -- "code,code,..." of the first non-2xx answers
end

function request()
	local p = path
	if next_id ~= nil then
		if next_id > last then
			if cycle then
				next_id = first
			else
				exhausted = 1
				next_id = last
			end
		end
		p = string.gsub(path, "{id}", tostring(next_id))
		if next_id > last_id then
			last_id = next_id
		end
		next_id = next_id + 1
	end
	local body = nil
	if #bodies > 0 then
		local k = (nreq % #bodies) + 1
		body = bodies[k]
		if sigs[k] then
			headers["Webhook-Signature"] = sigs[k]
		end
	end
	nreq = nreq + 1
	return wrk.format(method, p, headers, body)
end

function response(status, hdrs, body)
	if status >= 200 and status < 300 then
		n2xx = n2xx + 1
	else
		nother = nother + 1
		if nother <= 5 then
			statuses = statuses .. status .. ","
		end
	end
	if exhausted == 1 then
		wrk.thread:stop()
	end
end

function done(summary, latency, requests)
	local t = threads[1]
	local e = summary.errors
	local s = string.format(
		'{"requests":%d,"duration_us":%d,"bytes":%d,' ..
		'"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
		'"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,' ..
		'"n2xx":%d,"nother":%d,"statuses":"%s","last_id":%d,"exhausted":%d}\n',
		summary.requests, summary.duration, summary.bytes,
		e.connect, e.read, e.write, e.status, e.timeout,
		latency:percentile(50), latency:percentile(90), latency:percentile(99),
		latency.mean, latency.max,
		t:get("n2xx"), t:get("nother"), t:get("statuses"), t:get("last_id"),
		t:get("exhausted"))
	if out then
		local h = assert(io.open(out, "w"))
		h:write(s)
		h:close()
	else
		io.write(s)
	end
end
