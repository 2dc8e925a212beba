/* SPDX-License-Identifier: GPL-2.0-or-later */
/* empty_main.c - the program each part links whole, to prove its arrows. */
int main(void);

int
main(void)
{
	return 0;
}
