# Shared by the tests on PostgreSQL (migrate.bats, pg-commands.bats; docs/postgresql.md):
# databases on the file's throwaway cluster (pg_cluster_start in setup_file) and a city with
# something of every kind.  CONN is the cluster's connection string.

# pg_url NAME: a new empty database NAME on the cluster, its URL
pg_url() {
	psql -X -q -v ON_ERROR_STOP=1 -d "$CONN" -c "CREATE DATABASE $1" >/dev/null
	sed "s|/postgres?|/$1?|" <<<"$CONN"
}

# pg URL SQL: rows unaligned
pg() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# A city with something of every kind: cases with coordinates and notes holding tabs,
# newlines and backslashes; a vendor's catalog (search index), an order and its e-invoice
# (the original file as a BLOB); a member erased again (erased fields in the audit chain).
pg_rich_city() {
	seed_city_build
	export DC_USER=root
	C1=$(new_case --lat 52.520008 --lon 13.404954 --address "Weg 1" --email a@b.example \
		--description 'Loch	mit Tab und C:\Pfad')
	DC_USER=anna dc-case note "$C1" "$(printf 'zwei\nZeilen \\ und ein\r\nCRLF')" -q >/dev/null
	dc-assign dept add schule --name "Schulverwaltung" >/dev/null
	dc-assign staff add hana --name "Hana Haupt" --dept schule --role head >/dev/null
	dc config procurement.leitweg_id 04011000-12345-03 >/dev/null
	dc-order vendor add verlag --name "Verlag" --email abo@verlag.example \
		--vat-id DE123456789 >/dev/null
	printf '%s\r\n' 'sku;name;unit;price;vat' '246;Zeitschrift [...];XPP;288,79;7' \
		'PORTO;Porto + Versandkosten;XPP;26,07;7' >"$BATS_TEST_TMPDIR/verlag--2026.csv"
	DC_USER=bob dc-order catalog import "$BATS_TEST_TMPDIR/verlag--2026.csv" >/dev/null
	dc-order budget add 4711 --dept schule --year 2026 --amount 50000 >/dev/null
	PO=$(DC_USER=bob dc-order new --dept schule --budget 4711 --item verlag:246:1 \
		--item verlag:PORTO:1 | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	DC_USER=hana dc-order approve "$PO" >/dev/null
	DC_USER=bob dc-order place "$PO" >/dev/null
	DC_USER=bob dc-order receive "$PO" >/dev/null
	DC_USER=bob dc-order invoice add "$PO" --file "$FIXTURES/einvoice/booking/zeitschrift-ubl.xml" >/dev/null
	dc-feed member add kurz --name "Kurz Zeitig" --kind citizen --email kurz@example.org \
		-q >/dev/null
	dc-feed member add bleibt --name "Bleibt Hier" --kind citizen -q >/dev/null
	dc-feed post --author bleibt --title "Hallo" --body "Welt" -q >/dev/null
	dc-subject erase --member kurz -q >/dev/null
}
