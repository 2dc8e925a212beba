/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wptext_tables.c - WordPress 6.1.9's data for wptext*.c.
 *
 * DO NOT EDIT: generated from WordPress 6.1.9 by
 * lib/formats/gen_wptext_tables.php.  To regenerate:
 *   php lib/formats/gen_wptext_tables.php > lib/formats/wptext_tables.c
 * ctest gen_wptext_tables checks that this file is what it prints.
 */
#include "formats/wptext_int.h"

/* $allowedentitynames of kses.php, sorted by strcmp(). */
const char *const wptext_entity_names[] = {
	"AElig",    /* U+00C6 */
	"Aacute",   /* U+00C1 */
	"Acirc",    /* U+00C2 */
	"Agrave",   /* U+00C0 */
	"Alpha",    /* U+0391 */
	"Aring",    /* U+00C5 */
	"Atilde",   /* U+00C3 */
	"Auml",	    /* U+00C4 */
	"Beta",	    /* U+0392 */
	"Ccedil",   /* U+00C7 */
	"Chi",	    /* U+03A7 */
	"Dagger",   /* U+2021 */
	"Delta",    /* U+0394 */
	"ETH",	    /* U+00D0 */
	"Eacute",   /* U+00C9 */
	"Ecirc",    /* U+00CA */
	"Egrave",   /* U+00C8 */
	"Epsilon",  /* U+0395 */
	"Eta",	    /* U+0397 */
	"Euml",	    /* U+00CB */
	"Gamma",    /* U+0393 */
	"Iacute",   /* U+00CD */
	"Icirc",    /* U+00CE */
	"Igrave",   /* U+00CC */
	"Iota",	    /* U+0399 */
	"Iuml",	    /* U+00CF */
	"Kappa",    /* U+039A */
	"Lambda",   /* U+039B */
	"Mu",	    /* U+039C */
	"Ntilde",   /* U+00D1 */
	"Nu",	    /* U+039D */
	"OElig",    /* U+0152 */
	"Oacute",   /* U+00D3 */
	"Ocirc",    /* U+00D4 */
	"Ograve",   /* U+00D2 */
	"Omega",    /* U+03A9 */
	"Omicron",  /* U+039F */
	"Oslash",   /* U+00D8 */
	"Otilde",   /* U+00D5 */
	"Ouml",	    /* U+00D6 */
	"Phi",	    /* U+03A6 */
	"Pi",	    /* U+03A0 */
	"Prime",    /* U+2033 */
	"Psi",	    /* U+03A8 */
	"Rho",	    /* U+03A1 */
	"Scaron",   /* U+0160 */
	"Sigma",    /* U+03A3 */
	"THORN",    /* U+00DE */
	"Tau",	    /* U+03A4 */
	"Theta",    /* U+0398 */
	"Uacute",   /* U+00DA */
	"Ucirc",    /* U+00DB */
	"Ugrave",   /* U+00D9 */
	"Upsilon",  /* U+03A5 */
	"Uuml",	    /* U+00DC */
	"Xi",	    /* U+039E */
	"Yacute",   /* U+00DD */
	"Yuml",	    /* U+0178 */
	"Zeta",	    /* U+0396 */
	"aacute",   /* U+00E1 */
	"acirc",    /* U+00E2 */
	"acute",    /* U+00B4 */
	"aelig",    /* U+00E6 */
	"agrave",   /* U+00E0 */
	"alefsym",  /* U+2135 */
	"alpha",    /* U+03B1 */
	"amp",	    /* U+0026 */
	"and",	    /* U+2227 */
	"ang",	    /* U+2220 */
	"apos",	    /* U+0027 */
	"aring",    /* U+00E5 */
	"asymp",    /* U+2248 */
	"atilde",   /* U+00E3 */
	"auml",	    /* U+00E4 */
	"bdquo",    /* U+201E */
	"beta",	    /* U+03B2 */
	"brvbar",   /* U+00A6 */
	"bull",	    /* U+2022 */
	"cap",	    /* U+2229 */
	"ccedil",   /* U+00E7 */
	"cedil",    /* U+00B8 */
	"cent",	    /* U+00A2 */
	"chi",	    /* U+03C7 */
	"circ",	    /* U+02C6 */
	"clubs",    /* U+2663 */
	"cong",	    /* U+2245 */
	"copy",	    /* U+00A9 */
	"crarr",    /* U+21B5 */
	"cup",	    /* U+222A */
	"curren",   /* U+00A4 */
	"dArr",	    /* U+21D3 */
	"dagger",   /* U+2020 */
	"darr",	    /* U+2193 */
	"deg",	    /* U+00B0 */
	"delta",    /* U+03B4 */
	"diams",    /* U+2666 */
	"divide",   /* U+00F7 */
	"eacute",   /* U+00E9 */
	"ecirc",    /* U+00EA */
	"egrave",   /* U+00E8 */
	"empty",    /* U+2205 */
	"emsp",	    /* U+2003 */
	"ensp",	    /* U+2002 */
	"epsilon",  /* U+03B5 */
	"equiv",    /* U+2261 */
	"eta",	    /* U+03B7 */
	"eth",	    /* U+00F0 */
	"euml",	    /* U+00EB */
	"euro",	    /* U+20AC */
	"exist",    /* U+2203 */
	"fnof",	    /* U+0192 */
	"forall",   /* U+2200 */
	"frac12",   /* U+00BD */
	"frac14",   /* U+00BC */
	"frac34",   /* U+00BE */
	"frasl",    /* U+2044 */
	"gamma",    /* U+03B3 */
	"ge",	    /* U+2265 */
	"gt",	    /* U+003E */
	"hArr",	    /* U+21D4 */
	"harr",	    /* U+2194 */
	"hearts",   /* U+2665 */
	"hellip",   /* U+2026 */
	"iacute",   /* U+00ED */
	"icirc",    /* U+00EE */
	"iexcl",    /* U+00A1 */
	"igrave",   /* U+00EC */
	"image",    /* U+2111 */
	"infin",    /* U+221E */
	"int",	    /* U+222B */
	"iota",	    /* U+03B9 */
	"iquest",   /* U+00BF */
	"isin",	    /* U+2208 */
	"iuml",	    /* U+00EF */
	"kappa",    /* U+03BA */
	"lArr",	    /* U+21D0 */
	"lambda",   /* U+03BB */
	"lang",	    /* U+27E8 */
	"laquo",    /* U+00AB */
	"larr",	    /* U+2190 */
	"lceil",    /* U+2308 */
	"ldquo",    /* U+201C */
	"le",	    /* U+2264 */
	"lfloor",   /* U+230A */
	"lowast",   /* U+2217 */
	"loz",	    /* U+25CA */
	"lrm",	    /* U+200E */
	"lsaquo",   /* U+2039 */
	"lsquo",    /* U+2018 */
	"lt",	    /* U+003C */
	"macr",	    /* U+00AF */
	"mdash",    /* U+2014 */
	"micro",    /* U+00B5 */
	"middot",   /* U+00B7 */
	"minus",    /* U+2212 */
	"mu",	    /* U+03BC */
	"nabla",    /* U+2207 */
	"nbsp",	    /* U+00A0 */
	"ndash",    /* U+2013 */
	"ne",	    /* U+2260 */
	"ni",	    /* U+220B */
	"not",	    /* U+00AC */
	"notin",    /* U+2209 */
	"nsub",	    /* U+2284 */
	"ntilde",   /* U+00F1 */
	"nu",	    /* U+03BD */
	"oacute",   /* U+00F3 */
	"ocirc",    /* U+00F4 */
	"oelig",    /* U+0153 */
	"ograve",   /* U+00F2 */
	"oline",    /* U+203E */
	"omega",    /* U+03C9 */
	"omicron",  /* U+03BF */
	"oplus",    /* U+2295 */
	"or",	    /* U+2228 */
	"ordf",	    /* U+00AA */
	"ordm",	    /* U+00BA */
	"oslash",   /* U+00F8 */
	"otilde",   /* U+00F5 */
	"otimes",   /* U+2297 */
	"ouml",	    /* U+00F6 */
	"para",	    /* U+00B6 */
	"part",	    /* U+2202 */
	"permil",   /* U+2030 */
	"perp",	    /* U+22A5 */
	"phi",	    /* U+03C6 */
	"pi",	    /* U+03C0 */
	"piv",	    /* U+03D6 */
	"plusmn",   /* U+00B1 */
	"pound",    /* U+00A3 */
	"prime",    /* U+2032 */
	"prod",	    /* U+220F */
	"prop",	    /* U+221D */
	"psi",	    /* U+03C8 */
	"quot",	    /* U+0022 */
	"rArr",	    /* U+21D2 */
	"radic",    /* U+221A */
	"rang",	    /* U+27E9 */
	"raquo",    /* U+00BB */
	"rarr",	    /* U+2192 */
	"rceil",    /* U+2309 */
	"rdquo",    /* U+201D */
	"real",	    /* U+211C */
	"reg",	    /* U+00AE */
	"rfloor",   /* U+230B */
	"rho",	    /* U+03C1 */
	"rlm",	    /* U+200F */
	"rsaquo",   /* U+203A */
	"rsquo",    /* U+2019 */
	"sbquo",    /* U+201A */
	"scaron",   /* U+0161 */
	"sdot",	    /* U+22C5 */
	"sect",	    /* U+00A7 */
	"shy",	    /* U+00AD */
	"sigma",    /* U+03C3 */
	"sigmaf",   /* U+03C2 */
	"sim",	    /* U+223C */
	"spades",   /* U+2660 */
	"sub",	    /* U+2282 */
	"sube",	    /* U+2286 */
	"sum",	    /* U+2211 */
	"sup",	    /* U+2283 */
	"sup1",	    /* U+00B9 */
	"sup2",	    /* U+00B2 */
	"sup3",	    /* U+00B3 */
	"supe",	    /* U+2287 */
	"szlig",    /* U+00DF */
	"tau",	    /* U+03C4 */
	"there4",   /* U+2234 */
	"theta",    /* U+03B8 */
	"thetasym", /* U+03D1 */
	"thinsp",   /* U+2009 */
	"thorn",    /* U+00FE */
	"tilde",    /* U+02DC */
	"times",    /* U+00D7 */
	"trade",    /* U+2122 */
	"uArr",	    /* U+21D1 */
	"uacute",   /* U+00FA */
	"uarr",	    /* U+2191 */
	"ucirc",    /* U+00FB */
	"ugrave",   /* U+00F9 */
	"uml",	    /* U+00A8 */
	"upsih",    /* U+03D2 */
	"upsilon",  /* U+03C5 */
	"uuml",	    /* U+00FC */
	"weierp",   /* U+2118 */
	"xi",	    /* U+03BE */
	"yacute",   /* U+00FD */
	"yen",	    /* U+00A5 */
	"yuml",	    /* U+00FF */
	"zeta",	    /* U+03B6 */
	"zwj",	    /* U+200D */
	"zwnj",	    /* U+200C */
};
const size_t wptext_nentity_names =
	sizeof(wptext_entity_names) / sizeof(wptext_entity_names[0]);

/* wp_kses_allowed_html() per element: the attributes allowed in each
 * context (space-separated), NULL where the element is not. */
const struct ktag wptext_ktags[] = {
	{"a", {"href title", "href title rel"}},
	{"abbr", {"title", "title"}},
	{"acronym", {"title", "title"}},
	{"b", {"", ""}},
	{"blockquote", {"cite", "cite"}},
	{"cite", {"", ""}},
	{"code", {"", ""}},
	{"del", {"datetime", "datetime"}},
	{"em", {"", ""}},
	{"i", {"", ""}},
	{"q", {"cite", "cite"}},
	{"s", {"", ""}},
	{"strike", {"", ""}},
	{"strong", {"", ""}},
};
const size_t wptext_nktags = sizeof(wptext_ktags) / sizeof(wptext_ktags[0]);

/* wp_kses_uri_attributes(). */
const char wptext_uri_attrs[] =
	"action archive background cite classid codebase data "
	"formaction href icon longdesc manifest poster profile src "
	"usemap xmlns";

/* wp_allowed_protocols(). */
const char wptext_protocols[] =
	"http https ftp ftps mailto news irc irc6 ircs gopher nntp feed "
	"telnet mms rtsp sms svn tel fax xmpp webcal urn";

/* The UTF-8 map of remove_accents() for the locale en_US, sorted by
 * key bytes; every key is one character. */
const struct accent wptext_accents[] = {
	{"\xc2\xa3", ""},      /* U+00A3 */
	{"\xc2\xaa", "a"},     /* U+00AA */
	{"\xc2\xba", "o"},     /* U+00BA */
	{"\xc3\x80", "A"},     /* U+00C0 */
	{"\xc3\x81", "A"},     /* U+00C1 */
	{"\xc3\x82", "A"},     /* U+00C2 */
	{"\xc3\x83", "A"},     /* U+00C3 */
	{"\xc3\x84", "A"},     /* U+00C4 */
	{"\xc3\x85", "A"},     /* U+00C5 */
	{"\xc3\x86", "AE"},    /* U+00C6 */
	{"\xc3\x87", "C"},     /* U+00C7 */
	{"\xc3\x88", "E"},     /* U+00C8 */
	{"\xc3\x89", "E"},     /* U+00C9 */
	{"\xc3\x8a", "E"},     /* U+00CA */
	{"\xc3\x8b", "E"},     /* U+00CB */
	{"\xc3\x8c", "I"},     /* U+00CC */
	{"\xc3\x8d", "I"},     /* U+00CD */
	{"\xc3\x8e", "I"},     /* U+00CE */
	{"\xc3\x8f", "I"},     /* U+00CF */
	{"\xc3\x90", "D"},     /* U+00D0 */
	{"\xc3\x91", "N"},     /* U+00D1 */
	{"\xc3\x92", "O"},     /* U+00D2 */
	{"\xc3\x93", "O"},     /* U+00D3 */
	{"\xc3\x94", "O"},     /* U+00D4 */
	{"\xc3\x95", "O"},     /* U+00D5 */
	{"\xc3\x96", "O"},     /* U+00D6 */
	{"\xc3\x98", "O"},     /* U+00D8 */
	{"\xc3\x99", "U"},     /* U+00D9 */
	{"\xc3\x9a", "U"},     /* U+00DA */
	{"\xc3\x9b", "U"},     /* U+00DB */
	{"\xc3\x9c", "U"},     /* U+00DC */
	{"\xc3\x9d", "Y"},     /* U+00DD */
	{"\xc3\x9e", "TH"},    /* U+00DE */
	{"\xc3\x9f", "s"},     /* U+00DF */
	{"\xc3\xa0", "a"},     /* U+00E0 */
	{"\xc3\xa1", "a"},     /* U+00E1 */
	{"\xc3\xa2", "a"},     /* U+00E2 */
	{"\xc3\xa3", "a"},     /* U+00E3 */
	{"\xc3\xa4", "a"},     /* U+00E4 */
	{"\xc3\xa5", "a"},     /* U+00E5 */
	{"\xc3\xa6", "ae"},    /* U+00E6 */
	{"\xc3\xa7", "c"},     /* U+00E7 */
	{"\xc3\xa8", "e"},     /* U+00E8 */
	{"\xc3\xa9", "e"},     /* U+00E9 */
	{"\xc3\xaa", "e"},     /* U+00EA */
	{"\xc3\xab", "e"},     /* U+00EB */
	{"\xc3\xac", "i"},     /* U+00EC */
	{"\xc3\xad", "i"},     /* U+00ED */
	{"\xc3\xae", "i"},     /* U+00EE */
	{"\xc3\xaf", "i"},     /* U+00EF */
	{"\xc3\xb0", "d"},     /* U+00F0 */
	{"\xc3\xb1", "n"},     /* U+00F1 */
	{"\xc3\xb2", "o"},     /* U+00F2 */
	{"\xc3\xb3", "o"},     /* U+00F3 */
	{"\xc3\xb4", "o"},     /* U+00F4 */
	{"\xc3\xb5", "o"},     /* U+00F5 */
	{"\xc3\xb6", "o"},     /* U+00F6 */
	{"\xc3\xb8", "o"},     /* U+00F8 */
	{"\xc3\xb9", "u"},     /* U+00F9 */
	{"\xc3\xba", "u"},     /* U+00FA */
	{"\xc3\xbb", "u"},     /* U+00FB */
	{"\xc3\xbc", "u"},     /* U+00FC */
	{"\xc3\xbd", "y"},     /* U+00FD */
	{"\xc3\xbe", "th"},    /* U+00FE */
	{"\xc3\xbf", "y"},     /* U+00FF */
	{"\xc4\x80", "A"},     /* U+0100 */
	{"\xc4\x81", "a"},     /* U+0101 */
	{"\xc4\x82", "A"},     /* U+0102 */
	{"\xc4\x83", "a"},     /* U+0103 */
	{"\xc4\x84", "A"},     /* U+0104 */
	{"\xc4\x85", "a"},     /* U+0105 */
	{"\xc4\x86", "C"},     /* U+0106 */
	{"\xc4\x87", "c"},     /* U+0107 */
	{"\xc4\x88", "C"},     /* U+0108 */
	{"\xc4\x89", "c"},     /* U+0109 */
	{"\xc4\x8a", "C"},     /* U+010A */
	{"\xc4\x8b", "c"},     /* U+010B */
	{"\xc4\x8c", "C"},     /* U+010C */
	{"\xc4\x8d", "c"},     /* U+010D */
	{"\xc4\x8e", "D"},     /* U+010E */
	{"\xc4\x8f", "d"},     /* U+010F */
	{"\xc4\x90", "D"},     /* U+0110 */
	{"\xc4\x91", "d"},     /* U+0111 */
	{"\xc4\x92", "E"},     /* U+0112 */
	{"\xc4\x93", "e"},     /* U+0113 */
	{"\xc4\x94", "E"},     /* U+0114 */
	{"\xc4\x95", "e"},     /* U+0115 */
	{"\xc4\x96", "E"},     /* U+0116 */
	{"\xc4\x97", "e"},     /* U+0117 */
	{"\xc4\x98", "E"},     /* U+0118 */
	{"\xc4\x99", "e"},     /* U+0119 */
	{"\xc4\x9a", "E"},     /* U+011A */
	{"\xc4\x9b", "e"},     /* U+011B */
	{"\xc4\x9c", "G"},     /* U+011C */
	{"\xc4\x9d", "g"},     /* U+011D */
	{"\xc4\x9e", "G"},     /* U+011E */
	{"\xc4\x9f", "g"},     /* U+011F */
	{"\xc4\xa0", "G"},     /* U+0120 */
	{"\xc4\xa1", "g"},     /* U+0121 */
	{"\xc4\xa2", "G"},     /* U+0122 */
	{"\xc4\xa3", "g"},     /* U+0123 */
	{"\xc4\xa4", "H"},     /* U+0124 */
	{"\xc4\xa5", "h"},     /* U+0125 */
	{"\xc4\xa6", "H"},     /* U+0126 */
	{"\xc4\xa7", "h"},     /* U+0127 */
	{"\xc4\xa8", "I"},     /* U+0128 */
	{"\xc4\xa9", "i"},     /* U+0129 */
	{"\xc4\xaa", "I"},     /* U+012A */
	{"\xc4\xab", "i"},     /* U+012B */
	{"\xc4\xac", "I"},     /* U+012C */
	{"\xc4\xad", "i"},     /* U+012D */
	{"\xc4\xae", "I"},     /* U+012E */
	{"\xc4\xaf", "i"},     /* U+012F */
	{"\xc4\xb0", "I"},     /* U+0130 */
	{"\xc4\xb1", "i"},     /* U+0131 */
	{"\xc4\xb2", "IJ"},    /* U+0132 */
	{"\xc4\xb3", "ij"},    /* U+0133 */
	{"\xc4\xb4", "J"},     /* U+0134 */
	{"\xc4\xb5", "j"},     /* U+0135 */
	{"\xc4\xb6", "K"},     /* U+0136 */
	{"\xc4\xb7", "k"},     /* U+0137 */
	{"\xc4\xb8", "k"},     /* U+0138 */
	{"\xc4\xb9", "L"},     /* U+0139 */
	{"\xc4\xba", "l"},     /* U+013A */
	{"\xc4\xbb", "L"},     /* U+013B */
	{"\xc4\xbc", "l"},     /* U+013C */
	{"\xc4\xbd", "L"},     /* U+013D */
	{"\xc4\xbe", "l"},     /* U+013E */
	{"\xc4\xbf", "L"},     /* U+013F */
	{"\xc5\x80", "l"},     /* U+0140 */
	{"\xc5\x81", "L"},     /* U+0141 */
	{"\xc5\x82", "l"},     /* U+0142 */
	{"\xc5\x83", "N"},     /* U+0143 */
	{"\xc5\x84", "n"},     /* U+0144 */
	{"\xc5\x85", "N"},     /* U+0145 */
	{"\xc5\x86", "n"},     /* U+0146 */
	{"\xc5\x87", "N"},     /* U+0147 */
	{"\xc5\x88", "n"},     /* U+0148 */
	{"\xc5\x89", "n"},     /* U+0149 */
	{"\xc5\x8a", "N"},     /* U+014A */
	{"\xc5\x8b", "n"},     /* U+014B */
	{"\xc5\x8c", "O"},     /* U+014C */
	{"\xc5\x8d", "o"},     /* U+014D */
	{"\xc5\x8e", "O"},     /* U+014E */
	{"\xc5\x8f", "o"},     /* U+014F */
	{"\xc5\x90", "O"},     /* U+0150 */
	{"\xc5\x91", "o"},     /* U+0151 */
	{"\xc5\x92", "OE"},    /* U+0152 */
	{"\xc5\x93", "oe"},    /* U+0153 */
	{"\xc5\x94", "R"},     /* U+0154 */
	{"\xc5\x95", "r"},     /* U+0155 */
	{"\xc5\x96", "R"},     /* U+0156 */
	{"\xc5\x97", "r"},     /* U+0157 */
	{"\xc5\x98", "R"},     /* U+0158 */
	{"\xc5\x99", "r"},     /* U+0159 */
	{"\xc5\x9a", "S"},     /* U+015A */
	{"\xc5\x9b", "s"},     /* U+015B */
	{"\xc5\x9c", "S"},     /* U+015C */
	{"\xc5\x9d", "s"},     /* U+015D */
	{"\xc5\x9e", "S"},     /* U+015E */
	{"\xc5\x9f", "s"},     /* U+015F */
	{"\xc5\xa0", "S"},     /* U+0160 */
	{"\xc5\xa1", "s"},     /* U+0161 */
	{"\xc5\xa2", "T"},     /* U+0162 */
	{"\xc5\xa3", "t"},     /* U+0163 */
	{"\xc5\xa4", "T"},     /* U+0164 */
	{"\xc5\xa5", "t"},     /* U+0165 */
	{"\xc5\xa6", "T"},     /* U+0166 */
	{"\xc5\xa7", "t"},     /* U+0167 */
	{"\xc5\xa8", "U"},     /* U+0168 */
	{"\xc5\xa9", "u"},     /* U+0169 */
	{"\xc5\xaa", "U"},     /* U+016A */
	{"\xc5\xab", "u"},     /* U+016B */
	{"\xc5\xac", "U"},     /* U+016C */
	{"\xc5\xad", "u"},     /* U+016D */
	{"\xc5\xae", "U"},     /* U+016E */
	{"\xc5\xaf", "u"},     /* U+016F */
	{"\xc5\xb0", "U"},     /* U+0170 */
	{"\xc5\xb1", "u"},     /* U+0171 */
	{"\xc5\xb2", "U"},     /* U+0172 */
	{"\xc5\xb3", "u"},     /* U+0173 */
	{"\xc5\xb4", "W"},     /* U+0174 */
	{"\xc5\xb5", "w"},     /* U+0175 */
	{"\xc5\xb6", "Y"},     /* U+0176 */
	{"\xc5\xb7", "y"},     /* U+0177 */
	{"\xc5\xb8", "Y"},     /* U+0178 */
	{"\xc5\xb9", "Z"},     /* U+0179 */
	{"\xc5\xba", "z"},     /* U+017A */
	{"\xc5\xbb", "Z"},     /* U+017B */
	{"\xc5\xbc", "z"},     /* U+017C */
	{"\xc5\xbd", "Z"},     /* U+017D */
	{"\xc5\xbe", "z"},     /* U+017E */
	{"\xc5\xbf", "s"},     /* U+017F */
	{"\xc6\xa0", "O"},     /* U+01A0 */
	{"\xc6\xa1", "o"},     /* U+01A1 */
	{"\xc6\xaf", "U"},     /* U+01AF */
	{"\xc6\xb0", "u"},     /* U+01B0 */
	{"\xc7\x8d", "A"},     /* U+01CD */
	{"\xc7\x8e", "a"},     /* U+01CE */
	{"\xc7\x8f", "I"},     /* U+01CF */
	{"\xc7\x90", "i"},     /* U+01D0 */
	{"\xc7\x91", "O"},     /* U+01D1 */
	{"\xc7\x92", "o"},     /* U+01D2 */
	{"\xc7\x93", "U"},     /* U+01D3 */
	{"\xc7\x94", "u"},     /* U+01D4 */
	{"\xc7\x95", "U"},     /* U+01D5 */
	{"\xc7\x96", "u"},     /* U+01D6 */
	{"\xc7\x97", "U"},     /* U+01D7 */
	{"\xc7\x98", "u"},     /* U+01D8 */
	{"\xc7\x99", "U"},     /* U+01D9 */
	{"\xc7\x9a", "u"},     /* U+01DA */
	{"\xc7\x9b", "U"},     /* U+01DB */
	{"\xc7\x9c", "u"},     /* U+01DC */
	{"\xc8\x98", "S"},     /* U+0218 */
	{"\xc8\x99", "s"},     /* U+0219 */
	{"\xc8\x9a", "T"},     /* U+021A */
	{"\xc8\x9b", "t"},     /* U+021B */
	{"\xc9\x91", "a"},     /* U+0251 */
	{"\xe1\xba\xa0", "A"}, /* U+1EA0 */
	{"\xe1\xba\xa1", "a"}, /* U+1EA1 */
	{"\xe1\xba\xa2", "A"}, /* U+1EA2 */
	{"\xe1\xba\xa3", "a"}, /* U+1EA3 */
	{"\xe1\xba\xa4", "A"}, /* U+1EA4 */
	{"\xe1\xba\xa5", "a"}, /* U+1EA5 */
	{"\xe1\xba\xa6", "A"}, /* U+1EA6 */
	{"\xe1\xba\xa7", "a"}, /* U+1EA7 */
	{"\xe1\xba\xa8", "A"}, /* U+1EA8 */
	{"\xe1\xba\xa9", "a"}, /* U+1EA9 */
	{"\xe1\xba\xaa", "A"}, /* U+1EAA */
	{"\xe1\xba\xab", "a"}, /* U+1EAB */
	{"\xe1\xba\xac", "A"}, /* U+1EAC */
	{"\xe1\xba\xad", "a"}, /* U+1EAD */
	{"\xe1\xba\xae", "A"}, /* U+1EAE */
	{"\xe1\xba\xaf", "a"}, /* U+1EAF */
	{"\xe1\xba\xb0", "A"}, /* U+1EB0 */
	{"\xe1\xba\xb1", "a"}, /* U+1EB1 */
	{"\xe1\xba\xb2", "A"}, /* U+1EB2 */
	{"\xe1\xba\xb3", "a"}, /* U+1EB3 */
	{"\xe1\xba\xb4", "A"}, /* U+1EB4 */
	{"\xe1\xba\xb5", "a"}, /* U+1EB5 */
	{"\xe1\xba\xb6", "A"}, /* U+1EB6 */
	{"\xe1\xba\xb7", "a"}, /* U+1EB7 */
	{"\xe1\xba\xb8", "E"}, /* U+1EB8 */
	{"\xe1\xba\xb9", "e"}, /* U+1EB9 */
	{"\xe1\xba\xba", "E"}, /* U+1EBA */
	{"\xe1\xba\xbb", "e"}, /* U+1EBB */
	{"\xe1\xba\xbc", "E"}, /* U+1EBC */
	{"\xe1\xba\xbd", "e"}, /* U+1EBD */
	{"\xe1\xba\xbe", "E"}, /* U+1EBE */
	{"\xe1\xba\xbf", "e"}, /* U+1EBF */
	{"\xe1\xbb\x80", "E"}, /* U+1EC0 */
	{"\xe1\xbb\x81", "e"}, /* U+1EC1 */
	{"\xe1\xbb\x82", "E"}, /* U+1EC2 */
	{"\xe1\xbb\x83", "e"}, /* U+1EC3 */
	{"\xe1\xbb\x84", "E"}, /* U+1EC4 */
	{"\xe1\xbb\x85", "e"}, /* U+1EC5 */
	{"\xe1\xbb\x86", "E"}, /* U+1EC6 */
	{"\xe1\xbb\x87", "e"}, /* U+1EC7 */
	{"\xe1\xbb\x88", "I"}, /* U+1EC8 */
	{"\xe1\xbb\x89", "i"}, /* U+1EC9 */
	{"\xe1\xbb\x8a", "I"}, /* U+1ECA */
	{"\xe1\xbb\x8b", "i"}, /* U+1ECB */
	{"\xe1\xbb\x8c", "O"}, /* U+1ECC */
	{"\xe1\xbb\x8d", "o"}, /* U+1ECD */
	{"\xe1\xbb\x8e", "O"}, /* U+1ECE */
	{"\xe1\xbb\x8f", "o"}, /* U+1ECF */
	{"\xe1\xbb\x90", "O"}, /* U+1ED0 */
	{"\xe1\xbb\x91", "o"}, /* U+1ED1 */
	{"\xe1\xbb\x92", "O"}, /* U+1ED2 */
	{"\xe1\xbb\x93", "o"}, /* U+1ED3 */
	{"\xe1\xbb\x94", "O"}, /* U+1ED4 */
	{"\xe1\xbb\x95", "o"}, /* U+1ED5 */
	{"\xe1\xbb\x96", "O"}, /* U+1ED6 */
	{"\xe1\xbb\x97", "o"}, /* U+1ED7 */
	{"\xe1\xbb\x98", "O"}, /* U+1ED8 */
	{"\xe1\xbb\x99", "o"}, /* U+1ED9 */
	{"\xe1\xbb\x9a", "O"}, /* U+1EDA */
	{"\xe1\xbb\x9b", "o"}, /* U+1EDB */
	{"\xe1\xbb\x9c", "O"}, /* U+1EDC */
	{"\xe1\xbb\x9d", "o"}, /* U+1EDD */
	{"\xe1\xbb\x9e", "O"}, /* U+1EDE */
	{"\xe1\xbb\x9f", "o"}, /* U+1EDF */
	{"\xe1\xbb\xa0", "O"}, /* U+1EE0 */
	{"\xe1\xbb\xa1", "o"}, /* U+1EE1 */
	{"\xe1\xbb\xa2", "O"}, /* U+1EE2 */
	{"\xe1\xbb\xa3", "o"}, /* U+1EE3 */
	{"\xe1\xbb\xa4", "U"}, /* U+1EE4 */
	{"\xe1\xbb\xa5", "u"}, /* U+1EE5 */
	{"\xe1\xbb\xa6", "U"}, /* U+1EE6 */
	{"\xe1\xbb\xa7", "u"}, /* U+1EE7 */
	{"\xe1\xbb\xa8", "U"}, /* U+1EE8 */
	{"\xe1\xbb\xa9", "u"}, /* U+1EE9 */
	{"\xe1\xbb\xaa", "U"}, /* U+1EEA */
	{"\xe1\xbb\xab", "u"}, /* U+1EEB */
	{"\xe1\xbb\xac", "U"}, /* U+1EEC */
	{"\xe1\xbb\xad", "u"}, /* U+1EED */
	{"\xe1\xbb\xae", "U"}, /* U+1EEE */
	{"\xe1\xbb\xaf", "u"}, /* U+1EEF */
	{"\xe1\xbb\xb0", "U"}, /* U+1EF0 */
	{"\xe1\xbb\xb1", "u"}, /* U+1EF1 */
	{"\xe1\xbb\xb2", "Y"}, /* U+1EF2 */
	{"\xe1\xbb\xb3", "y"}, /* U+1EF3 */
	{"\xe1\xbb\xb4", "Y"}, /* U+1EF4 */
	{"\xe1\xbb\xb5", "y"}, /* U+1EF5 */
	{"\xe1\xbb\xb6", "Y"}, /* U+1EF6 */
	{"\xe1\xbb\xb7", "y"}, /* U+1EF7 */
	{"\xe1\xbb\xb8", "Y"}, /* U+1EF8 */
	{"\xe1\xbb\xb9", "y"}, /* U+1EF9 */
	{"\xe2\x82\xac", "E"}, /* U+20AC */
};
const size_t wptext_naccents =
	sizeof(wptext_accents) / sizeof(wptext_accents[0]);

/* The ISO-8859-1 fallback of remove_accents() for bytes 0x80..0xff,
 * used when the string does not even seem UTF-8; NULL keeps the
 * byte. */
const char *const wptext_latin1[128] = {
	"E",  /* 0x80 */
	NULL, /* 0x81 */
	NULL, /* 0x82 */
	"f",  /* 0x83 */
	NULL, /* 0x84 */
	NULL, /* 0x85 */
	NULL, /* 0x86 */
	NULL, /* 0x87 */
	NULL, /* 0x88 */
	NULL, /* 0x89 */
	"S",  /* 0x8a */
	NULL, /* 0x8b */
	"OE", /* 0x8c */
	NULL, /* 0x8d */
	"Z",  /* 0x8e */
	NULL, /* 0x8f */
	NULL, /* 0x90 */
	NULL, /* 0x91 */
	NULL, /* 0x92 */
	NULL, /* 0x93 */
	NULL, /* 0x94 */
	NULL, /* 0x95 */
	NULL, /* 0x96 */
	NULL, /* 0x97 */
	NULL, /* 0x98 */
	NULL, /* 0x99 */
	"s",  /* 0x9a */
	NULL, /* 0x9b */
	"oe", /* 0x9c */
	NULL, /* 0x9d */
	"z",  /* 0x9e */
	"Y",  /* 0x9f */
	NULL, /* 0xa0 */
	NULL, /* 0xa1 */
	"c",  /* 0xa2 */
	NULL, /* 0xa3 */
	NULL, /* 0xa4 */
	"Y",  /* 0xa5 */
	NULL, /* 0xa6 */
	NULL, /* 0xa7 */
	NULL, /* 0xa8 */
	NULL, /* 0xa9 */
	NULL, /* 0xaa */
	NULL, /* 0xab */
	NULL, /* 0xac */
	NULL, /* 0xad */
	NULL, /* 0xae */
	NULL, /* 0xaf */
	NULL, /* 0xb0 */
	NULL, /* 0xb1 */
	NULL, /* 0xb2 */
	NULL, /* 0xb3 */
	NULL, /* 0xb4 */
	"u",  /* 0xb5 */
	NULL, /* 0xb6 */
	NULL, /* 0xb7 */
	NULL, /* 0xb8 */
	NULL, /* 0xb9 */
	NULL, /* 0xba */
	NULL, /* 0xbb */
	NULL, /* 0xbc */
	NULL, /* 0xbd */
	NULL, /* 0xbe */
	NULL, /* 0xbf */
	"A",  /* 0xc0 */
	"A",  /* 0xc1 */
	"A",  /* 0xc2 */
	"A",  /* 0xc3 */
	"A",  /* 0xc4 */
	"A",  /* 0xc5 */
	"AE", /* 0xc6 */
	"C",  /* 0xc7 */
	"E",  /* 0xc8 */
	"E",  /* 0xc9 */
	"E",  /* 0xca */
	"E",  /* 0xcb */
	"I",  /* 0xcc */
	"I",  /* 0xcd */
	"I",  /* 0xce */
	"I",  /* 0xcf */
	"DH", /* 0xd0 */
	"N",  /* 0xd1 */
	"O",  /* 0xd2 */
	"O",  /* 0xd3 */
	"O",  /* 0xd4 */
	"O",  /* 0xd5 */
	"O",  /* 0xd6 */
	NULL, /* 0xd7 */
	"O",  /* 0xd8 */
	"U",  /* 0xd9 */
	"U",  /* 0xda */
	"U",  /* 0xdb */
	"U",  /* 0xdc */
	"Y",  /* 0xdd */
	"TH", /* 0xde */
	"ss", /* 0xdf */
	"a",  /* 0xe0 */
	"a",  /* 0xe1 */
	"a",  /* 0xe2 */
	"a",  /* 0xe3 */
	"a",  /* 0xe4 */
	"a",  /* 0xe5 */
	"ae", /* 0xe6 */
	"c",  /* 0xe7 */
	"e",  /* 0xe8 */
	"e",  /* 0xe9 */
	"e",  /* 0xea */
	"e",  /* 0xeb */
	"i",  /* 0xec */
	"i",  /* 0xed */
	"i",  /* 0xee */
	"i",  /* 0xef */
	"dh", /* 0xf0 */
	"n",  /* 0xf1 */
	"o",  /* 0xf2 */
	"o",  /* 0xf3 */
	"o",  /* 0xf4 */
	"o",  /* 0xf5 */
	"o",  /* 0xf6 */
	NULL, /* 0xf7 */
	"o",  /* 0xf8 */
	"u",  /* 0xf9 */
	"u",  /* 0xfa */
	"u",  /* 0xfb */
	"u",  /* 0xfc */
	"y",  /* 0xfd */
	"th", /* 0xfe */
	"y",  /* 0xff */
};
