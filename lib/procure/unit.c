/*
 * Units: the words German catalogs and clerks write ("Stk", "St.", "m²", "Pck") and the codes
 * e-business documents carry (BT-130 in an XRechnung, ORDER_UNIT in openTRANS).  The codes are
 * those of UN/ECE Recommendation 20, with Recommendation 21's package codes prefixed "X", the
 * list EN 16931 allows for BT-130.  openTRANS 2.1 takes ORDER_UNIT from BMEcat 2005's dtPUNIT,
 * an older revision of Recommendation 20: its package codes have no "X", and it lacks H87 and
 * KMT.  dc-order(1) "Units" prints both tables; change them together.
 */
#include <stddef.h>
#include <string.h>

#include "procure/procure.h"

/* Keys as dc_unit_key makes them: lower case, without spaces and dots, "²" as "2". */
static const struct {
	const char *key, *code;
} units[] = {
    /* pieces: C62 (one), the code both lists have; "St" is Stück, never Rec 20's withdrawn
     * ST (sheet) */
    {"stk", "C62"}, {"st", "C62"}, {"stck", "C62"}, {"stück", "C62"}, {"stueck", "C62"},
    {"pc", "C62"}, {"pcs", "C62"}, {"einheit", "C62"}, {"eh", "C62"}, {"c62", "C62"},
    {"h87", "H87"}, {"ea", "EA"},
    /* mass */
    {"kg", "KGM"}, {"kilogramm", "KGM"}, {"kgm", "KGM"},
    {"g", "GRM"}, {"gramm", "GRM"}, {"grm", "GRM"},
    {"t", "TNE"}, {"to", "TNE"}, {"tonne", "TNE"}, {"tonnen", "TNE"}, {"tne", "TNE"},
    /* volume */
    {"l", "LTR"}, {"ltr", "LTR"}, {"liter", "LTR"},
    {"ml", "MLT"}, {"milliliter", "MLT"}, {"mlt", "MLT"},
    {"m3", "MTQ"}, {"cbm", "MTQ"}, {"kubikmeter", "MTQ"}, {"mtq", "MTQ"},
    /* length and area */
    {"m", "MTR"}, {"meter", "MTR"}, {"lfm", "MTR"}, {"mtr", "MTR"},
    {"cm", "CMT"}, {"zentimeter", "CMT"}, {"cmt", "CMT"},
    {"mm", "MMT"}, {"millimeter", "MMT"}, {"mmt", "MMT"},
    {"km", "KMT"}, {"kilometer", "KMT"}, {"kmt", "KMT"},
    {"m2", "MTK"}, {"qm", "MTK"}, {"quadratmeter", "MTK"}, {"mtk", "MTK"},
    /* time */
    {"std", "HUR"}, {"h", "HUR"}, {"stunde", "HUR"}, {"stunden", "HUR"}, {"hur", "HUR"},
    {"min", "MIN"}, {"minute", "MIN"}, {"minuten", "MIN"},
    {"tag", "DAY"}, {"tage", "DAY"}, {"day", "DAY"},
    {"woche", "WEE"}, {"wochen", "WEE"}, {"wee", "WEE"},
    {"monat", "MON"}, {"monate", "MON"}, {"mon", "MON"},
    {"jahr", "ANN"}, {"jahre", "ANN"}, {"ann", "ANN"},
    /* energy */
    {"kwh", "KWH"}, {"kw", "KWT"}, {"kwt", "KWT"},
    /* packages (Rec 21 with X); PK, CT and RO are Rec 20's withdrawn codes for them */
    {"pck", "XPK"}, {"pkt", "XPK"}, {"pack", "XPK"}, {"packung", "XPK"}, {"paket", "XPK"},
    {"pk", "XPK"}, {"xpk", "XPK"},
    {"karton", "XCT"}, {"ktn", "XCT"}, {"krt", "XCT"}, {"ct", "XCT"}, {"xct", "XCT"},
    {"rolle", "XRO"}, {"rollen", "XRO"}, {"rl", "XRO"}, {"ro", "XRO"}, {"xro", "XRO"},
    {"dose", "XCA"}, {"xca", "XCA"},
    {"flasche", "XBO"}, {"fl", "XBO"}, {"xbo", "XBO"},
    {"beutel", "XBG"}, {"btl", "XBG"}, {"xbg", "XBG"},
    {"sack", "XSA"}, {"xsa", "XSA"},
    {"eimer", "XBJ"}, {"xbj", "XBJ"},
    {"schachtel", "XBX"}, {"box", "XBX"}, {"xbx", "XBX"},
    {"palette", "XPX"}, {"pal", "XPX"}, {"xpx", "XPX"},
    /* Rec 21's "piece" as a package, what most XRechnung invoices write */
    {"xpp", "XPP"},
    /* sets, kits and lump sums */
    {"paar", "PR"}, {"pr", "PR"}, {"kit", "KT"}, {"kt", "KT"},
    {"satz", "SET"}, {"set", "SET"},
    {"psch", "LS"}, {"pschl", "LS"}, {"pauschal", "LS"}, {"pauschale", "LS"}, {"ls", "LS"},
};

/* UNIT folded into KEY (of SIZE bytes): 0, or -1 when it does not fit or is empty. */
static int
dc_unit_key(const char *unit, char *key, size_t size)
{
	const unsigned char *s = (const unsigned char *)unit;
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = *s;

		if (c == ' ' || c == '\t' || c == '.')
			continue;
		if (n + 3 > size)
			return -1;
		if (c >= 'A' && c <= 'Z') {
			key[n++] = (char)(c - 'A' + 'a');
		} else if (c == 0xc2 && (s[1] == 0xb2 || s[1] == 0xb3)) {
			key[n++] = s[1] == 0xb2 ? '2' : '3'; /* ² ³ */
			s++;
		} else if (c == 0xc3 && (s[1] == 0x9c || s[1] == 0xbc)) {
			key[n++] = (char)0xc3; /* Ü as ü */
			key[n++] = (char)0xbc;
			s++;
		} else {
			key[n++] = (char)c;
		}
	}
	key[n] = '\0';
	return n ? 0 : -1;
}

/* Every code above, and what BMEcat 2005 (openTRANS 2.1's ORDER_UNIT) calls it. */
static const struct {
	const char *code, *bmecat;
} codes[] = {
    {"C62", "C62"}, {"H87", "C62"}, {"EA", "EA"},   {"KGM", "KGM"}, {"GRM", "GRM"},
    {"TNE", "TNE"}, {"LTR", "LTR"}, {"MLT", "MLT"}, {"MTQ", "MTQ"}, {"MTR", "MTR"},
    {"CMT", "CMT"}, {"MMT", "MMT"}, {"KMT", "KTM"}, {"MTK", "MTK"}, {"HUR", "HUR"},
    {"MIN", "MIN"}, {"DAY", "DAY"}, {"WEE", "WEE"}, {"MON", "MON"}, {"ANN", "ANN"},
    {"KWH", "KWH"}, {"XPK", "PK"},  {"XCT", "CT"},  {"XRO", "RO"},  {"XCA", "CA"},
    {"XBO", "BO"},  {"XBG", "BG"},  {"XSA", "SA"},  {"XBJ", "BJ"},  {"XBX", "BX"},
    {"XPX", "PF"},  {"PR", "PR"},   {"KT", "KT"},   {"SET", "SET"}, {"LS", "LS"},
    {"KWT", "KWT"}, {"XPP", "C62"},
};

const char *
dc_unit_bmecat(const char *code)
{
	size_t i;

	for (i = 0; code && i < sizeof codes / sizeof codes[0]; i++)
		if (!strcmp(codes[i].code, code))
			return codes[i].bmecat;
	return NULL;
}

const char *
dc_unit_rec20(const char *unit)
{
	char key[32];
	size_t i;

	if (!unit || dc_unit_key(unit, key, sizeof key))
		return NULL;
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (!strcmp(units[i].key, key))
			return units[i].code;
	return NULL;
}

/* A piece is written H87 (piece), C62 (one), EA (each) or XPP (Rec 21's piece): the same
 * for a match. */
static int
dc_unit_piece(const char *code)
{
	return !strcmp(code, "H87") || !strcmp(code, "C62") || !strcmp(code, "EA") ||
	       !strcmp(code, "XPP");
}

int
dc_unit_same(const char *a, const char *b)
{
	const char *ca = dc_unit_rec20(a), *cb = dc_unit_rec20(b);

	if (!ca || !cb)
		return 0;
	return !strcmp(ca, cb) || (dc_unit_piece(ca) && dc_unit_piece(cb));
}
