# Malformed CSV and TSV shapes, for hostile.bats (each refused whole, naming file, line and
# field) and keep-going.bats (each rejected once under --keep-going, in bounded time).
#
# malformed_files DIR: writes DIR/NAME.csv (or .tsv) for every shape, each with the header
# service,description,attr, one good record before the bad one and, where the bad one leaves
# anything readable, one after it.  The table MALFORMED maps NAME to
#   line|error|good
# the line of the bad record, the error after "FILE:LINE: ", and how many good records a
# --keep-going run writes (1: only the one before; 2: the one after too).

declare -gA MALFORMED=(
	[unclosed]="3|field 'description': quoted field not closed before the end of the file|1"
	[unclosed-eof]="3|field 'description': quoted field not closed before the end of the file|1"
	[after-quote]="3|field 'description': text after the closing quote of a quoted field|2"
	[empty-quoted-then-text]="3|field 'description': text after the closing quote of a quoted field|2"
	[undoubled]="3|field 'description': a quote inside a quoted field must be doubled (\"\")|2"
	[after-quote-line4]="3|field 'description': text after the closing quote of a quoted field (line 4)|2"
	[too-many]="3|record has 4 fields, the header 3|2"
	[nul]="3|field 'description': NUL byte in input|2"
	[utf8]="3|field 'description': invalid UTF-8 (line 2 is UTF-8, so the file is not read as windows-1252; see --encoding)|2"
	[long]="3|field 'description': field longer than 1 MiB|2"
	[long-unclosed]="3|field 'description': quoted field longer than 1 MiB (is its closing quote missing?)|1"
	[header]="1|header field 2: quoted field not closed before the end of the file|0"
	[tsv-nul]="3|field 'description': NUL byte in input|2"
)

malformed_files() {
	local d=$1 h='service,description,attr' ok='pothole,ok,size=large'
	local after='pothole,after,size=large' big
	big=$($PY -c 'print("x" * ((1 << 20) + 1))')
	printf '%s\n%s\npothole,"never closed,size=large\n%s\n' "$h" "$ok" "$after" >"$d/unclosed.csv"
	printf '%s\n%s\npothole,"never closed' "$h" "$ok" >"$d/unclosed-eof.csv"
	printf '%s\n%s\npothole,"ab"cd,size=large\n%s\n' "$h" "$ok" "$after" >"$d/after-quote.csv"
	printf '%s\n%s\npothole,""x,size=large\n%s\n' "$h" "$ok" "$after" >"$d/empty-quoted-then-text.csv"
	printf '%s\n%s\npothole,"ab" "c",size=large\n%s\n' "$h" "$ok" "$after" >"$d/undoubled.csv"
	printf '%s\n%s\npothole,"two\nlines"x,size=large\n%s\n' "$h" "$ok" "$after" >"$d/after-quote-line4.csv"
	printf '%s\n%s\npothole,ok,size=large,extra\n%s\n' "$h" "$ok" "$after" >"$d/too-many.csv"
	printf '%s\n%s\npothole,"a\0b",size=large\n%s\n' "$h" "$ok" "$after" >"$d/nul.csv"
	# UTF-8 before the bad byte: a file of ASCII before it would be read as windows-1252
	printf '%s\npothole,öko,size=large\npothole,"a\xffb",size=large\n%s\n' "$h" "$after" >"$d/utf8.csv"
	printf '%s\n%s\npothole,%s,size=large\n%s\n' "$h" "$ok" "$big" "$after" >"$d/long.csv"
	{
		printf '%s\n%s\npothole,"' "$h" "$ok"
		for _ in 1 2 3; do printf '%s\n' "${big:0:400000}"; done
		printf '%s\n' "$after"
	} >"$d/long-unclosed.csv"
	printf 'service,"description,attr\n%s\n%s\n' "$ok" "$after" >"$d/header.csv"
	printf 'service\tdescription\tattr\npothole\tok\tsize=large\npothole\ta\0b\tsize=large\npothole\tafter\tsize=large\n' \
		>"$d/tsv-nul.tsv"
}
