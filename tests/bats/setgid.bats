#!/usr/bin/env bats
# The setgid install (make install-system, dcity(7) SECURITY), for real: the group dcity, test
# users, the release binaries installed setgid into a temporary prefix with their own
# configuration, and the commands run as those users (setpriv).  Needs root, as CI has.
load helper
bats_require_minimum_version 1.5.0

# a group-less outsider, a clerk, an integrator and an admin; none is in the group dcity
SG_USERS="dcsgout dcsgclerk dcsgint dcsgadmin"

setup_file() {
	# one test at a time: "install-system keeps an existing configuration" reinstalls the
	# commands and the configuration that the other tests run
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	[ "$(id -u)" = 0 ] || skip "needs root: creates the group dcity and test users"
	for t in setpriv useradd userdel groupadd groupdel sqlite3; do
		command -v $t >/dev/null || skip "needs $t"
	done
	grep -q '^NoNewPrivs:[[:space:]]*1' /proc/self/status && skip "no_new_privs: setgid has no effect"
	# not under $BATS_FILE_TMPDIR: the users must reach the binaries, and /tmp may be nosuid
	SG=$(mktemp -d /var/tmp/dcity-setgid.XXXXXX)
	export SG
	chmod 755 "$SG"
	case $(findmnt -n -o OPTIONS -T "$SG") in *nosuid*) skip "$SG is on a nosuid mount" ;; esac
	getent group dcity >/dev/null || touch "$SG/made-group"
	for u in $SG_USERS; do
		id -u "$u" >/dev/null 2>&1 && continue
		useradd --system --no-create-home --shell /usr/sbin/nologin --user-group "$u"
		echo "$u" >>"$SG/made-users"
	done
	# the real target, with the configuration and the database directory in the temporary tree
	if ! make -s -C "$ROOT" install-system PREFIX="$SG/usr" SYSCONFDIR="$SG/etc" \
		DBDIR="$SG/var/lib/dcity" >"$SG/make.log" 2>&1; then
		cat "$SG/make.log" >&2
		return 1
	fi
	export DB=$SG/var/lib/dcity/city.db
	mkdir -m 1777 "$SG/out"
	# root sets the city up (bootstrap: it is admin while no admin exists)
	sys dc-assign staff add root --name "Root" --role admin
	sys dc-assign dept add tiefbau --name "Tiefbauamt"
	sys dc-assign staff add dcsgadmin --name "Ada Admin" --role admin
	sys dc-assign staff add dcsgclerk --name "Carl Clerk" --dept tiefbau --role clerk
	sys dc-assign staff add dcsgint --name "Ida Portal" --role integrator
	sys dc-case service add --code pothole --name "Schlagloch" --kind report \
		--department tiefbau --sla 5
}

teardown_file() {
	[ -n "${SG:-}" ] && [ -d "$SG" ] || return 0
	if [ -f "$SG/made-users" ]; then
		while read -r u; do userdel "$u"; done <"$SG/made-users"
	fi
	if [ -f "$SG/made-group" ]; then groupdel dcity; fi
	rm -rf "$SG"
}

# the PostgreSQL test's server and configuration go, whatever happened
teardown() {
	if [[ -n ${PGSRV:-} ]]; then
		"$ROOT/tests/pg/cluster" stop "$PGSRV" || :
		cp "$SG/conf.saved" "$SG/etc/dcity/dcity.conf"
		rm -f "$SG/etc/dcity/pgpass"
	fi
	db_teardown
}

# The installed commands, as root and as a test user, with only the environment given.
sys() {
	env -i -C / PATH="$SG/usr/bin:/usr/bin:/bin" HOME=/root "$@" >/dev/null
}
as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- \
		env -i -C / PATH="$SG/usr/bin:/usr/bin:/bin" HOME=/ LANG=C.UTF-8 "$@"
}

@test "install-system: commands setgid dcity, dc-cron not, a closed database directory" {
	run stat -c '%a %U %G' "$SG/usr/bin/dc-case" "$SG/usr/bin/dc" "$SG/usr/bin/dc-notify" \
		"$SG/usr/bin/dc-cron" "$SG/var/lib/dcity" "$DB" "$SG/etc/dcity/dcity.conf"
	assert_output "2755 root dcity
2755 root dcity
2755 root dcity
755 root root
2770 root dcity
660 root dcity
644 root root"
	run grep -v '^#' "$SG/etc/dcity/dcity.conf"
	assert_output "db = $DB"
	assert [ -f "$SG/usr/share/man/man7/dcity.7" ]
	assert [ -f "$SG/usr/share/bash-completion/completions/dc" ]
	assert_equal "$(readlink "$SG/usr/share/bash-completion/completions/dc-case")" dc
}

@test "install-system keeps an existing configuration" {
	echo "# edited by the admin" >>"$SG/etc/dcity/dcity.conf"
	make -s -C "$ROOT" install-system PREFIX="$SG/usr" SYSCONFDIR="$SG/etc" \
		DBDIR="$SG/var/lib/dcity" >"$SG/make2.log" 2>&1
	grep -qx "# edited by the admin" "$SG/etc/dcity/dcity.conf"
}

@test "outside the group: no sqlite3, no cat, but dcity serves each user by role" {
	run as dcsgout sqlite3 "$DB" 'SELECT count(*) FROM staff'
	assert_failure
	assert_output --partial "unable to open database"
	run as dcsgout cat "$DB"
	assert_failure
	assert_output --partial "Permission denied"
	run as dcsgout ls "$SG/var/lib/dcity"
	assert_failure
	# public data for anyone; the clerk sees the staff list; the portal account files a case
	run as dcsgout dc-case service list
	assert_success
	assert_output --partial '"code":"pothole"'
	run as dcsgclerk dc-assign staff list -q
	assert_success
	assert_line "dcsgclerk"
	run as dcsgint dc-case new --service pothole --address "Hauptstr. 5"
	assert_success
	assert_output --partial '"status":"new"'
}

@test "a clerk is denied an admin verb through the setgid commands (77), by dc-NOUN and dc NOUN" {
	run as dcsgclerk dc-assign dept add schule --name "Schulamt"
	assert_failure 77
	assert_output --partial "permission denied: 'dcsgclerk' (clerk) may not add departments"
	run as dcsgclerk dc assign dept add schule --name "Schulamt"
	assert_failure 77
	# no bootstrap for an outsider once an admin exists
	run as dcsgout dc-assign staff add dcsgout --name "Me" --role admin
	assert_failure 77
	run sqlite3 "$DB" "SELECT count(*) FROM dept WHERE code = 'schule'; SELECT count(*) FROM staff WHERE login = 'dcsgout'"
	assert_output $'0\n0'
}

@test "DC_DB, --db and DC_NOW are ignored, each with one warning" {
	run --separate-stderr as dcsgclerk DC_DB="$SG/out/other.db" dc-case service list -q
	assert_success
	assert_output "pothole"
	assert_equal "$(grep -c "ignoring DC_DB: the setgid install uses the database $DB" <<<"$stderr")" 1
	assert [ ! -e "$SG/out/other.db" ]
	run --separate-stderr as dcsgclerk dc-case --db "$SG/out/other.db" service list -q
	assert_success
	assert_output "pothole"
	assert_equal "$(grep -c "ignoring --db" <<<"$stderr")" 1
	assert [ ! -e "$SG/out/other.db" ]
	# through the front end: dc warns, and dc-case, which it runs, no more
	run --separate-stderr as dcsgclerk DC_DB="$SG/out/other.db" dc case service list -q
	assert_success
	assert_output "pothole"
	assert_equal "$(grep -c "ignoring DC_DB" <<<"$stderr")" 1
	assert [ ! -e "$SG/out/other.db" ]
	run --separate-stderr as dcsgint DC_NOW=2001-02-03T04:05:06Z \
		dc-case new --service pothole --address "Marktplatz 1" -f csv --fields created_at --no-header
	assert_success
	assert_output --regexp "^$(date -u +%Y)-"
	assert_equal "$(grep -c "ignoring DC_NOW: the setgid install uses the real clock" <<<"$stderr")" 1
}

@test "--as and DC_USER: ignored for a non-admin, honoured for an admin" {
	run as dcsgclerk DC_USER=dcsgadmin dc-assign dept add x1 --name X
	assert_failure 77
	assert_output --partial "ignoring DC_USER=dcsgadmin: only an admin may act as another login; acting as 'dcsgclerk'"
	run --separate-stderr as dcsgclerk dc-assign --as dcsgadmin dept add x2 --name X
	assert_failure 77
	grep -q "ignoring --as=dcsgadmin" <<<"$stderr"
	# the admin may: as the clerk the admin verb is denied, and the audit trail names the
	# login acted as
	run as dcsgadmin dc-assign --as dcsgclerk dept add x3 --name X
	assert_failure 77
	assert_output --partial "'dcsgclerk' (clerk) may not add departments"
	run as dcsgadmin DC_USER=dcsgint dc-case new --service pothole --address "Am Markt 2" -q
	assert_success
	id=$output
	run as dcsgadmin dc-assign dept add x4 --name X
	assert_success
	run sqlite3 "$DB" "SELECT actor FROM event WHERE entity = 'case' AND ref = '$id' AND kind = 'created';
		SELECT actor FROM event WHERE entity = 'dept' AND ref = 'x4'"
	assert_output $'dcsgint\ndcsgadmin'
}

@test "files the commands create: 0660, group dcity (a new database, its -wal and -shm)" {
	mv "$DB" "$SG/city.db.saved"
	run as dcsgout dc-case service list
	assert_success
	run stat -c '%a %U %G' "$DB"
	assert_output "660 dcsgout dcity"
	mv "$SG/city.db.saved" "$DB"
	rm -f "$DB-wal" "$DB-shm"
	# -wal and -shm exist while a command has the database open: dc-notify waits for --exec
	as dcsgint dc-case new --service pothole --address "Weg 1" --email eva@example.org >/dev/null
	cat >"$SG/out/hold" <<-EOF
		#!/bin/sh
		touch "$SG/out/held"
		while [ ! -e "$SG/out/release" ]; do sleep 0.1; done
		cat >/dev/null
	EOF
	chmod 755 "$SG/out/hold"
	as dcsgint dc-notify run --limit 1 --exec "$SG/out/hold" >/dev/null &
	for i in $(seq 100); do [ -e "$SG/out/held" ] && break; sleep 0.1; done
	run stat -c '%a %U %G' "$DB-wal" "$DB-shm"
	touch "$SG/out/release"
	wait
	assert_output $'660 dcsgint dcity\n660 dcsgint dcity'
}

@test "an --exec command runs with the user's own group, none of our descriptors, a clean environment" {
	as dcsgint dc-case new --service pothole --address "Weg 2" --email eva@example.org >/dev/null
	cat >"$SG/out/probe" <<-EOF
		#!/bin/sh
		id -g >"$SG/out/gid"
		id -G >"$SG/out/groups"
		env >"$SG/out/env"
		ls -l /proc/\$\$/fd/ >"$SG/out/fds"
		ls "$SG/var/lib/dcity" >"$SG/out/ls" 2>&1 && echo readable >>"$SG/out/ls"
		cat >/dev/null
	EOF
	chmod 755 "$SG/out/probe"
	run as dcsgint LD_PRELOAD=/nonexistent/evil.so LD_LIBRARY_PATH=/nonexistent BASH_ENV=/evil \
		ENV=/evil IFS=x TMPDIR=/evil SQLITE_TMPDIR=/evil GIT_DIR=/evil FOO=bar \
		dc-notify run --exec "grep ^Gid: /proc/\$\$/status >$SG/out/shell-gids; $SG/out/probe"
	assert_success
	assert_output --partial '"transport":"exec"'
	assert_output --partial '"status":"sent"'
	dcity=$(getent group dcity | cut -d: -f3)
	# real, effective, saved and file-system group of the shell that runs the command: the
	# saved one too, or the command could take the group back (/bin/sh resets only the
	# effective one)
	g=$(id -g dcsgint)
	run cat "$SG/out/shell-gids"
	assert_output "$(printf 'Gid:\t%s\t%s\t%s\t%s' $g $g $g $g)"
	run cat "$SG/out/gid"
	assert_output "$g"
	run cat "$SG/out/groups"
	refute_output --regexp "(^| )$dcity( |$)"
	run cat "$SG/out/env"
	assert_line "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	assert_line "USER=dcsgint"
	for v in LD_PRELOAD LD_LIBRARY_PATH BASH_ENV ENV IFS TMPDIR SQLITE_TMPDIR GIT_DIR FOO; do
		refute_line --regexp "^$v="
	done
	run cat "$SG/out/fds"
	refute_output --partial "city.db"
	run cat "$SG/out/ls"
	assert_output --partial "Permission denied"
	refute_output --partial "readable"
}

@test "files a user names are opened with the user's own rights, never the group's" {
	# input: the database itself is no input file
	run as dcsgadmin dc-assign holiday import "$DB"
	assert_failure
	assert_output --partial "Permission denied"
	# output: not into the database directory, by -o, by a backup, by a Maildir
	run as dcsgadmin dc-export cases -f csv -o "$SG/var/lib/dcity/cases.csv"
	assert_failure
	run as dcsgadmin dc backup "$SG/var/lib/dcity/copy.db"
	assert_failure
	as dcsgint dc-case new --service pothole --address "Weg 3" --email eva@example.org >/dev/null
	run as dcsgint dc-notify run --maildir "$SG/var/lib/dcity/mail"
	run as dcsgadmin dc-export cases -f open311-json --git-repo "$SG/var/lib/dcity/repo" \
		--git-path cases.json
	assert_failure
	run as dcsgadmin dc-import spool "$SG/var/lib/dcity"
	assert_failure
	run ls -A "$SG/var/lib/dcity"
	refute_output --partial "cases.csv"
	refute_output --partial "copy.db"
	refute_output --partial "mail"
	refute_output --partial "repo"
	refute_output --partial "incoming"
	# where the user may write, the file is the user's, group and all
	run as dcsgadmin dc-export cases -f csv -o "$SG/out/cases.csv"
	assert_success
	run as dcsgadmin dc backup "$SG/out/copy.db"
	assert_success
	run stat -c '%U %G' "$SG/out/cases.csv" "$SG/out/copy.db"
	assert_output $'dcsgadmin dcsgadmin\ndcsgadmin dcsgadmin'
}

@test "dc-cron: no borrowed group; its lock in a directory of the user's own" {
	# a logger that prints, so that the messages can be checked with or without syslog
	mkdir -p "$SG/fake"
	printf '#!/bin/sh\necho "$*"\n' >"$SG/fake/logger"
	chmod 755 "$SG/fake" "$SG/fake/logger"
	path="$SG/fake:$SG/usr/bin:/usr/bin:/bin"
	# handed a borrowed effective group, what dc-cron runs has the real one: /bin/sh (dash,
	# bash) resets it, and a shell that keeps it (sh -p) makes dc-cron refuse
	borrow() {
		setpriv --reuid=dcsgint --rgid=dcsgint --egid=dcity --init-groups -- \
			env -i -C / PATH="$path" "$@"
	}
	run borrow dc-cron id -g
	if [ "$status" != 77 ]; then
		assert_success
		assert_line --index 0 "$(id -g dcsgint)"
	fi
	run borrow sh -p "$SG/usr/bin/dc-cron" id -g
	assert_failure 77
	assert_output --partial "refusing to run with the effective group dcity"
	run as dcsgint PATH="$path" TMPDIR="$SG/out" dc-cron dc-case service list
	assert_success
	assert_output --partial "user.info -- ok"
	run stat -c '%a %U' "$SG/out/dc-cron.$(id -u dcsgint)"
	assert_output "700 dcsgint"
	# a lock directory someone else made is refused
	mkdir -m 777 "$SG/out/dc-cron.$(id -u dcsgclerk)"
	run as dcsgclerk PATH="$path" TMPDIR="$SG/out" dc-cron true
	assert_failure 73
	assert_output --partial "is not the cron user's own"
}

@test "the configuration: root's only, 'db = ABSOLUTE PATH', else exit 78 with the line" {
	conf=$SG/etc/dcity/dcity.conf
	cp "$conf" "$SG/conf.saved"
	chmod 664 "$conf"
	run as dcsgclerk dc-case service list
	assert_failure 78
	assert_output "dc-case: $conf must belong to root and be writable by root only"
	chmod 644 "$conf"
	printf '# dcity\n\ndbb = %s\n' "$DB" >"$conf"
	run as dcsgclerk dc-case service list
	assert_failure 78
	assert_output "dc-case: $conf:3: unknown key 'dbb' (known: db, db_password_file)"
	printf 'db = city.db\n' >"$conf"
	run as dcsgclerk dc-case service list
	assert_failure 78
	assert_output "dc-case: $conf:1: db: not an absolute path nor a PostgreSQL URL"
	printf 'db %s\n' "$DB" >"$conf"
	run as dcsgclerk dc service list
	assert_failure 78
	assert_output "dc: $conf:1: expected 'KEY = VALUE'"
	rm "$conf"
	run as dcsgclerk dc-case service list
	assert_failure 78
	assert_output --partial "dc-case: cannot read $conf: No such file or directory"
	# spaces, tabs and comments are fine
	printf '  db\t=  %s   # the city\n' "$DB" >"$conf"
	run as dcsgclerk dc-case service list -q
	assert_success
	assert_output "pothole"
	cp "$SG/conf.saved" "$conf"
}

@test "dc-import git: an integrator imports a repository another user owns; the lock is the database's" {
	sys dc-order vendor add acme --name "Acme" --email sales@acme.example
	# the vendors' repository belongs to another account and is readable by all
	local r=$SG/out/catalogs
	git init -q -b main "$r"
	mkdir "$r/catalogs"
	cp "$FIXTURES/catalog-full-1.csv" "$r/catalogs/acme--main.csv"
	git -C "$r" add -A
	git -C "$r" -c user.name=V -c user.email=v@example.org commit -qm "acme"
	local head
	head=$(git -C "$r" rev-parse HEAD)
	chown -R dcsgout:dcsgout "$r"
	chmod -R a+rX "$r"
	run as dcsgint dc-import git "$r" --path catalogs
	assert_success
	assert_output --partial '"vendor":"acme"'
	assert_output --partial "\"commit\":\"$head\""
	# the lock was made beside the database, with the group, in a directory closed to the caller
	run stat -c '%a %G' "$DB.import.lock"
	assert_output "660 dcity"
	run sqlite3 "$DB" "SELECT count(*) FROM catalog_import WHERE vendor = 'acme'"
	assert_output 1
	# the repository is read with the caller's own rights: one the caller cannot read fails
	cp -a "$r" "$SG/out/closed"
	chmod 700 "$SG/out/closed"
	run as dcsgint dc-import git "$SG/out/closed" --path catalogs
	assert_failure 66
	assert_output --partial "is not a git repository"
}

@test "files with personal data are 0600 for the user who wrote them, whatever the umask" {
	run as dcsgadmin sh -c "umask 022; dc backup '$SG/out/mode.db' 2>/dev/null; \
		dc-export cases -f csv -o '$SG/out/mode.csv'; dc-export services -o '$SG/out/pub.csv'"
	assert_success
	run stat -c '%a %U' "$SG/out/mode.db" "$SG/out/mode.csv" "$SG/out/pub.csv"
	assert_output $'600 dcsgadmin\n600 dcsgadmin\n644 dcsgadmin'
}

@test "dc-open311: the web server's user needs no rights on the database; a key acts as its integrator" {
	local key body id
	key=$(env -i -C / PATH="$SG/usr/bin:/usr/bin:/bin" HOME=/root dc-assign staff key add dcsgint |
		sed -n 's/.*"key":"\([0-9a-f]*\)".*/\1/p')
	[ ${#key} -eq 64 ]
	run stat -c '%a %G' "$SG/usr/bin/dc-open311"
	assert_output "2755 dcity"
	# the outsider stands for www-data: no group, no rights on the directory or the database
	run as dcsgout sqlite3 "$DB" 'SELECT 1'
	assert_failure
	run as dcsgout REQUEST_METHOD=GET PATH_INFO=/services.json DC_DB=/nonexistent dc-open311
	assert_success
	assert_line --partial "Status: 200 OK"
	assert_output --partial '"service_code":"pothole"'
	body="api_key=$key&service_code=pothole&lat=52.5&long=13.4&description=setgid"
	run as dcsgout REQUEST_METHOD=POST PATH_INFO=/requests.json \
		CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=${#body} \
		dc-open311 <<<"$body"
	assert_success
	id=$(sed -n 's/.*"service_request_id":"\([^"]*\)".*/\1/p' <<<"$output")
	[ -n "$id" ]
	# the audit trail names the key's integrator, not the process's user
	run sqlite3 "$DB" "SELECT DISTINCT actor FROM event WHERE entity = 'case' AND ref = '$id'"
	assert_output dcsgint
	run as dcsgout REQUEST_METHOD=POST PATH_INFO=/requests.json \
		CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=21 \
		dc-open311 <<<"service_code=pothole"
	assert_failure 77
	assert_line --partial "Status: 403 Forbidden"
}

@test "setgid on PostgreSQL: the commands connect with the configured password, the users cannot" {
	local conf=$SG/etc/dcity/dcity.conf pgdir url
	[ -x /usr/lib/postgresql/15/bin/initdb ] || skip "needs postgresql-15"
	# a server every user reaches, as a city's server is: the role dcapp needs its password
	PGSRV=$(PG_SHARED=1 "$ROOT/tests/pg/cluster" start)
	pgdir=${PGSRV#*host=} && pgdir=${pgdir%%&*}
	psql -X -q -v ON_ERROR_STOP=1 -d "$PGSRV" \
		-c "CREATE ROLE dcapp LOGIN PASSWORD 'Geheim-4711'" \
		-c "CREATE DATABASE sgcity OWNER dcapp"
	url="postgresql:///sgcity?host=$pgdir&user=dcapp"
	# the city moved there by root, outside the setgid install
	PGPASSWORD=Geheim-4711 DC_DB=$DB DC_USER=root "$BIN/dc" migrate --to "$url" -q >/dev/null
	cp "$conf" "$SG/conf.saved"
	printf 'db = %s\ndb_password_file = %s\n' "$url" "$SG/etc/dcity/pgpass" >"$conf"
	printf 'Geheim-4711\n' >"$SG/etc/dcity/pgpass"
	chown root:dcity "$SG/etc/dcity/pgpass"
	chmod 0640 "$SG/etc/dcity/pgpass"
	# the commands read the password with the group and serve each user by role
	run as dcsgclerk dc-assign staff list -q
	assert_success
	assert_line dcsgclerk
	run as dcsgint dc-case new --service pothole --address "Am Server 1" -q
	assert_success
	[[ $(psql -X -At -d "$PGSRV" -c "SELECT 1") = 1 ]]
	assert_equal "$(psql -X -At -d "$(sed 's|/postgres?|/sgcity?|' <<<"$PGSRV")" \
		-c "SELECT count(*) FROM cases WHERE address = 'Am Server 1'")" 1
	run as dcsgclerk dc-assign dept add schule --name "Schulamt"
	assert_failure 77
	# the users themselves cannot: no password, not the file, not the superuser
	run as dcsgclerk cat "$SG/etc/dcity/pgpass"
	assert_failure
	assert_output --partial "Permission denied"
	run as dcsgclerk psql -X -w -d "$url" -c "SELECT 1"
	assert_failure
	assert_output --partial "password"
	run as dcsgclerk psql -X -w -d "$(sed 's|/postgres?|/sgcity?|' <<<"$PGSRV")" -c "SELECT 1"
	assert_failure
	# nor can they point the commands elsewhere: PG* variables are cleaned away
	run as dcsgclerk PGHOST=/nonexistent PGDATABASE=nope dc-assign staff list -q
	assert_success
	# no backup through the group (pg_dump would hold the password in the user's process)
	run as dcsgadmin dc backup /tmp/sg-city.dump
	assert_failure 77
	assert_output --partial "run pg_dump as the database's owner"
	# a password file others may read is refused
	chmod 0644 "$SG/etc/dcity/pgpass"
	run as dcsgclerk dc-assign staff list -q
	assert_failure 78
	assert_output "dc-assign: $SG/etc/dcity/pgpass must belong to root, be writable by root only and readable by no one but root and the group (0640)"
}
