#!/bin/sh
# Regenerating the ODM element tables from the corpus XSDs reproduces the committed
# schemas/odm/*.json and libdsjson/odm_tables.gen.c byte for byte, and the generator
# reports broken schemas clearly.  Standalone:
#   sh tests/cli/odm_tables.sh [BIN]
# (BIN, the dsjson binary, is accepted for tests/cli/run.sh but not needed.)
# The regeneration check is skipped (with a message) when ${DSJ_CORPUS:-../shared/corpus}/schemas
# is absent; the synthetic-schema and error checks always run.

cd "$(dirname "$0")/../.." || exit 2   # the repository root
CORPUS=${DSJ_CORPUS:-../shared/corpus}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
GEN=tools/gen-odm-tables.py
pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsj-odm-tables.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# 1. regeneration from the corpus XSDs is byte-identical
if [ ! -d "$CORPUS/schemas" ]; then
    echo "odm tables: regeneration check skipped (corpus not found at $CORPUS; set DSJ_CORPUS)"
else
    if "$PY" "$GEN" --corpus "$CORPUS" --out "$tmp/out" >"$tmp/gen.out" 2>"$tmp/gen.err"; then ok; else
        ko "generator failed"; sed 's/^/  | /' "$tmp/gen.err" | head -20; fi
    for f in schemas/odm/odm-1.3.2.json schemas/odm/define-2.0.json schemas/odm/define-2.1.json \
             schemas/odm/dataset-xml-1.0.json schemas/odm/odm-2.0.json libdsjson/odm_tables.gen.c; do
        if [ ! -f "$f" ]; then ko "$f is not committed"
        elif cmp -s "$f" "$tmp/out/$f"; then ok
        else ko "$f differs from a fresh regeneration (run: $PY $GEN)"; diff "$f" "$tmp/out/$f" | head -10 | sed 's/^/  | /'
        fi
    done
    # the C string pieces stay short (<= 4000 characters each)
    long=$(awk 'length($0) > 4010 { n++ } END { print n + 0 }' libdsjson/odm_tables.gen.c)
    [ "$long" -eq 0 ] && ok || ko "libdsjson/odm_tables.gen.c: $long lines over 4010 characters"
    # no stray tables
    for f in schemas/odm/*.json; do
        [ -f "$tmp/out/$f" ] && ok || ko "$f is not produced by the generator"
    done
fi

# 2. the resolver on synthetic schemas (testdata/odm-tables: redefine chain, chameleon
#    include, extension/restriction, choice in an unbounded sequence, substitution group,
#    simple-type derivation, local declarations to merge); runs without the corpus too.
SYN=testdata/odm-tables
if "$PY" "$GEN" --corpus "$SYN" --out "$tmp/syn" --set syn:Root:good/ext2.xsd >/dev/null 2>"$tmp/syn.err"; then ok; else
    ko "generator failed on $SYN"; sed 's/^/  | /' "$tmp/syn.err" | head; fi
"$PY" - "$tmp/syn/schemas/odm/syn.json" >"$tmp/syn.out" 2>&1 <<'PYEOF'
import json, sys
try:
    t = json.load(open(sys.argv[1]))
except Exception as e:
    print('FAIL load %s' % e); sys.exit(0)
E = t['elements']
def kids(el): return [(c['name'], c['repeat']) for c in E.get(el, {}).get('children', [])]
def attrs(el): return [(a['name'], a['type']) for a in E.get(el, {}).get('attributes', [])]
def flags(el): return tuple(E.get(el, {}).get(k) for k in ('text', 'mixed', 'any'))
T, X = '{urn:t}', '{urn:x}'
checks = [
    ('root', t['root'], T + 'Root'),
    ('sources', t['sources'], ['good/ext2.xsd', 'good/ext1.xsd', 'good/ext-ns.xsd', 'good/base.xsd', 'good/chameleon.xsd']),
    ('namespaces', t['namespaces'], {'t': 'urn:t', 'x': 'urn:x', 'xml': 'http://www.w3.org/XML/1998/namespace'}),
    ('root children: choice in unbounded sequence repeats, substitution members, chameleon, redefine chain in order',
     kids(T + 'Root'), [(T + 'A', True), (T + 'B', True), (T + 'C', False), (T + 'M1', False), (T + 'M2', False),
                        (T + 'Cham', False), (T + 'R', False), (X + 'Extra', False), (X + 'Extra2', True)]),
    ('root attributes: derived simple types, redefined attribute groups, qualified local attribute',
     attrs(T + 'Root'), [('N', 'integer'), ('D', 'decimal'), ('U', 'string'), ('I', 'integer'), ('L', 'string'),
                         ('E', 'boolean'), (X + 'flag', 'float'), (T + 'Q', 'integer')]),
    ('simpleContent extension', (flags(T + 'A'), attrs(T + 'A')), ((True, False, False), [('k', 'boolean')])),
    ('mixed + xs:any', flags(T + 'B'), (False, True, True)),
    ('complexContent extension: base content first, same name twice repeats',
     (kids(T + 'C'), attrs(T + 'C')), ([(T + 'L1', True), (T + 'L2', True)], [('base1', 'string'), ('base2', 'integer'), ('own', 'float')])),
    ('complexContent restriction: content replaced, prohibited attribute removed',
     (kids(T + 'R'), attrs(T + 'R')), ([(T + 'L1', False)], [('base1', 'string')])),
    ('merged local declarations', (t.get('merged'), attrs(T + 'L1'), flags(T + 'L1')), ([T + 'L1'], [('z', 'integer')], (True, False, False))),
    ('abstract head not listed', T + 'Head' in E, False),
    ('substitution member takes the head type', flags(T + 'M1'), (True, False, False)),
    ('chameleon component', attrs(T + 'Cham'), [('c', 'integer')]),
    ('closed', sorted({c['name'] for e in E.values() for c in e['children']} - set(E)), []),
]
for name, got, want in checks:
    print(('ok ' if got == want else 'FAIL ') + name + ('' if got == want else ': got %r, want %r' % (got, want)))
PYEOF
while IFS= read -r line; do
    case "$line" in "ok "*) ok ;; *) ko "synthetic: $line" ;; esac
done <"$tmp/syn.out"

# 3. broken schemas: exit 1 and a message with file, line and the rule
expect_error() {   # NAME FILE PATTERN
    "$PY" "$GEN" --corpus "$SYN" --out "$tmp/bad" --set "bad:Root:bad/$2" >/dev/null 2>"$tmp/bad.err"
    rc=$?
    if [ "$rc" -eq 1 ] && grep -Eq "$3" "$tmp/bad.err"; then ok; else
        ko "$1: exit $rc, stderr:"; sed 's/^/  | /' "$tmp/bad.err" | head -5; fi
}
expect_error unresolved unresolved.xsd 'bad/unresolved.xsd:6: unresolved group reference \{urn:t\}Nope'
expect_error malformed malformed.xsd 'bad/malformed.xsd:4:3: not well-formed XML'
expect_error missing-include missing-include.xsd 'bad/missing-include.xsd:3: schema no-such-file.xsd not found'
expect_error bad-prefix bad-prefix.xsd "bad/bad-prefix.xsd:5: undeclared namespace prefix in 'q:nope'"
expect_error not-schema not-schema.xsd 'bad/not-schema.xsd:1: not an XML Schema'
expect_error self-loop self-loop.xsd 'bad/self-loop.xsd:3: type \{urn:t\}T refers to itself'
"$PY" "$GEN" --corpus "$SYN" --out "$tmp/bad" --set "bad:NoRoot:good/base.xsd" >/dev/null 2>"$tmp/bad.err"
if [ $? -eq 1 ] && grep -q 'unresolved element reference {urn:t}NoRoot' "$tmp/bad.err"; then ok; else ko "missing root element"; fi
"$PY" "$GEN" --corpus "$SYN" --out "$tmp/bad" --set "nocolon" >/dev/null 2>"$tmp/bad.err"
if [ $? -eq 2 ] && grep -q 'expected NAME:ROOT:ENTRY' "$tmp/bad.err"; then ok; else ko "bad --set"; fi

echo "odm tables: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
