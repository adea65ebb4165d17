#!/usr/bin/python3
"""Generate the ODM / Define-XML / Dataset-XML element tables from the official XSDs.

    /usr/bin/python3 tools/gen-odm-tables.py [--corpus DIR] [--out ROOT]

Reads the XSDs under DIR/schemas (default ../shared/corpus) and writes, under ROOT
(default: the repository root):
    schemas/odm/<set>.json        one table per schema set (format: schemas/odm/README.md)
    libdsjson/odm_tables.gen.c    the same tables, minified, as C string literals

Python 3 standard library only.  The output is deterministic, so regenerating from
the same XSDs reproduces the committed files byte for byte (tests/cli/odm_tables.sh).

What is resolved: xs:include / xs:import / xs:redefine (relative schemaLocation,
chained redefines, self-references inside a redefinition meaning the previous
definition), named types with xs:extension / xs:restriction (complexContent and
simpleContent), named groups and attributeGroups, element and attribute refs across
namespaces, substitution groups, xs:sequence / xs:choice / xs:all with occurrence
bounds, xs:any (wildcard), mixed content, elementFormDefault / attributeFormDefault /
form, simple types (restriction chains, lists, unions) down to the XSD built-ins.
"""

import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET
from xml.parsers import expat

XS = 'http://www.w3.org/2001/XMLSchema'
XML_NS = 'http://www.w3.org/XML/1998/namespace'
UNBOUNDED = 1 << 30

# Schema sets: name, entry schemas (relative to the corpus schemas/ folder), local
# name of the root element (looked up in the first entry's target namespace).
SETS = [
    ('odm-1.3.2', ['odm-1.3.2-archive/ODM1-3-2.xsd'], 'ODM'),
    ('define-2.0', ['define-xml-2.0/cdisc-define-2.0/define2-0-0.xsd',
                    'define-xml-2.0/cdisc-arm-1.0/arm1-0-0.xsd'], 'ODM'),
    ('define-2.1', ['define-xml-2.1/cdisc-define-2.1/define2-1-0.xsd',
                    'define-xml-2.1/cdisc-arm-1.0/arm1-0-0.xsd'], 'ODM'),
    ('dataset-xml-1.0', ['dataset-xml-1.0/cdisc-datasetxml-1.0.0/dataset1-0-0.xsd'], 'ODM'),
    ('odm-2.0', ['odm-2.0/ODM.xsd'], 'ODM'),
]

INTEGER_TYPES = {'integer', 'positiveInteger', 'nonNegativeInteger', 'negativeInteger',
                 'nonPositiveInteger', 'int', 'long', 'short', 'byte', 'unsignedLong',
                 'unsignedInt', 'unsignedShort', 'unsignedByte'}
BUILTIN_CATEGORY = {'decimal': 'decimal', 'float': 'float', 'double': 'float',
                    'boolean': 'boolean'}
for _t in INTEGER_TYPES:
    BUILTIN_CATEGORY[_t] = 'integer'


class SchemaError(Exception):
    pass


def xs(tag):
    return '{%s}%s' % (XS, tag)


def clark(ns, local):
    return '{%s}%s' % (ns, local) if ns else local


def max_occurs(node):
    v = node.get('maxOccurs', '1')
    return UNBOUNDED if v == 'unbounded' else int(v)


def cap(n):
    return min(n, UNBOUNDED)


class Doc:
    """One parsed schema document: an ElementTree with the line number and the
    in-scope namespace declarations of every node (expat, so positions are exact)."""

    def __init__(self, path, rel, chameleon_tns=None):
        self.path = path
        self.rel = rel
        self.nsmap = {}          # id(node) -> {prefix: uri}
        self.lines = {}          # id(node) -> line number
        self.decls = []          # (prefix, uri) declared anywhere, in document order
        stack = []
        scopes = []
        pending = []
        holder = []

        def start_ns(prefix, uri):
            pending.append((prefix or '', uri))

        def start(name, attrs):
            tag = '{' + name if '}' in name else name
            node = ET.Element(tag, {('{' + k if '}' in k else k): v for k, v in attrs.items()})
            scope = dict(scopes[-1]) if scopes else {'xml': XML_NS}
            for prefix, uri in pending:
                scope[prefix] = uri
                self.decls.append((prefix, uri))
            del pending[:]
            self.nsmap[id(node)] = scope
            self.lines[id(node)] = parser.CurrentLineNumber
            if stack:
                stack[-1].append(node)
            else:
                holder.append(node)
            stack.append(node)
            scopes.append(scope)

        def end(name):
            stack.pop()
            scopes.pop()

        parser = expat.ParserCreate(namespace_separator='}')
        parser.StartNamespaceDeclHandler = start_ns
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        try:
            with open(path, 'rb') as f:
                parser.ParseFile(f)
        except expat.ExpatError as e:
            raise SchemaError('%s:%d:%d: not well-formed XML: %s'
                              % (rel, e.lineno, e.offset + 1, expat.ErrorString(e.code)))
        except OSError as e:
            raise SchemaError('%s: %s' % (rel, e.strerror or e))
        if not holder or holder[0].tag != xs('schema'):
            raise SchemaError('%s:1: not an XML Schema (root element is not xs:schema)' % rel)
        root = holder[0]
        self.root = root
        self.tns = root.get('targetNamespace', '')
        self.chameleon = not self.tns and bool(chameleon_tns)
        if self.chameleon:
            self.tns = chameleon_tns   # an included schema without a target namespace takes the includer's
        self.efd = root.get('elementFormDefault', 'unqualified')
        self.afd = root.get('attributeFormDefault', 'unqualified')

    def at(self, node=None):
        """'file:line' of node (or of the file)."""
        line = self.lines.get(id(node)) if node is not None else None
        return '%s:%d' % (self.rel, line) if line else self.rel

    def qname(self, node, value):
        """Resolve a QName-valued attribute of node to (uri, local)."""
        value = value.strip()
        prefix, _, local = value.rpartition(':')
        scope = self.nsmap[id(node)]
        if prefix:
            if prefix not in scope:
                raise SchemaError('%s: undeclared namespace prefix in %r' % (self.at(node), value))
            return scope[prefix], local
        # Unprefixed QNames use the default namespace; in a chameleon-included schema
        # without one, they name components of the includer's namespace.
        if '' not in scope and self.chameleon:
            return self.tns, local
        return scope.get('', ''), local


class Schema:
    """All the components of one schema set, with redefinition levels."""

    def __init__(self, base):
        self.base = base
        self.docs = {}
        self.sources = []
        self.comps = {}          # (kind, uri, local) -> [(node, doc), ...]  level 0 = original
        self.subst = {}          # head (uri, local) -> [member (uri, local), ...]

    def load(self, rel_or_path, from_doc=None, node=None):
        """Load one schema document (once) with everything it includes, imports, redefines."""
        if from_doc is None:
            path = os.path.normpath(os.path.join(self.base, rel_or_path))
        else:
            if not rel_or_path:
                raise SchemaError('%s: %s without schemaLocation' % (from_doc.at(node), node.tag.split('}')[1]))
            path = os.path.normpath(os.path.join(os.path.dirname(from_doc.path), rel_or_path))
        if path in self.docs:
            return self.docs[path]
        if not os.path.isfile(path):
            where = from_doc.at(node) if from_doc else 'entry schema'
            raise SchemaError('%s: schema %s not found' % (where, rel_or_path))
        chameleon = from_doc.tns if from_doc is not None and node is not None and \
            node.tag in (xs('include'), xs('redefine')) else None
        doc = Doc(path, os.path.relpath(path, self.base).replace(os.sep, '/'), chameleon)
        self.docs[path] = doc
        self.sources.append(doc.rel)
        for child in doc.root:
            tag = child.tag
            if tag == xs('include'):
                self.load(child.get('schemaLocation'), doc, child)
            elif tag == xs('import'):
                if child.get('schemaLocation'):   # an import without location names a known namespace
                    self.load(child.get('schemaLocation'), doc, child)
            elif tag == xs('redefine'):
                self.load(child.get('schemaLocation'), doc, child)
                for comp in child:
                    self.register(comp, doc, redefine=True)
            else:
                self.register(child, doc, redefine=False)
        return doc

    KINDS = {'element': 'element', 'attribute': 'attribute', 'complexType': 'type',
             'simpleType': 'type', 'group': 'group', 'attributeGroup': 'attributeGroup'}

    def register(self, node, doc, redefine):
        if not node.tag.startswith('{%s}' % XS):
            return
        kind = self.KINDS.get(node.tag[len(XS) + 2:])
        if kind is None or node.get('name') is None:
            return
        key = (kind, doc.tns, node.get('name'))
        levels = self.comps.setdefault(key, [])
        if redefine:
            if not levels:
                raise SchemaError('%s: redefinition of %s %s, which the redefined schema does not define'
                                  % (doc.at(node), kind, node.get('name')))
            levels.append((node, doc))
        elif not levels:
            levels.append((node, doc))
        # else: the same component from a second document: the first one wins
        if kind == 'element' and node.get('substitutionGroup'):
            head = doc.qname(node, node.get('substitutionGroup'))
            self.subst.setdefault(head, []).append((doc.tns, node.get('name')))

    def lookup(self, kind, qn, active, doc, node):
        """Definition of (kind, qname) referenced from node of doc; inside its own
        redefinition (recorded in active) the previous level.  Returns (node, doc, active)."""
        key = (kind,) + tuple(qn)
        levels = self.comps.get(key)
        if not levels:
            raise SchemaError('%s: unresolved %s reference {%s}%s' % (doc.at(node), kind, qn[0], qn[1]))
        level = active.get(key, len(levels)) - 1
        if level < 0:
            raise SchemaError('%s: %s {%s}%s refers to itself' % (doc.at(node), kind, qn[0], qn[1]))
        dnode, ddoc = levels[level]
        return dnode, ddoc, _with(active, key, level)


def _with(active, key, level):
    new = dict(active)
    new[key] = level
    return new


class Info:
    """The resolved content of one element declaration."""

    def __init__(self):
        self.children = {}       # clark name -> max occurrences (insertion order = sequence order)
        self.attributes = {}     # clark name -> type category (insertion order = declared order)
        self.text = False
        self.mixed = False
        self.any = False

    def as_json(self):
        return {
            'children': [{'name': n, 'repeat': c > 1} for n, c in self.children.items()],
            'attributes': [{'name': n, 'type': t} for n, t in self.attributes.items()],
            'text': self.text,
            'mixed': self.mixed,
            'any': self.any,
        }


class Resolver:
    def __init__(self, schema):
        self.s = schema
        self.pending = []        # (clark, node, doc, active): element declarations still to resolve
        self.seen_decls = set()

    # ------------------------------------------------------------ simple types
    def category(self, qn, active, doc, where, depth=0):
        uri, local = qn
        if uri == XS:
            return BUILTIN_CATEGORY.get(local, 'string')
        if depth > 50:
            raise SchemaError('%s: simple type derivation too deep at %s' % (doc.at(where), local))
        node, tdoc, active = self.s.lookup('type', qn, active, doc, where)
        if node.tag != xs('simpleType'):
            return 'string'
        return self.simple_category(node, tdoc, active, depth + 1)

    def simple_category(self, node, doc, active, depth=0):
        for child in node:
            if child.tag == xs('restriction'):
                if child.get('base'):
                    return self.category(doc.qname(child, child.get('base')), active, doc, child, depth)
                inner = child.find(xs('simpleType'))
                return self.simple_category(inner, doc, active, depth + 1) if inner is not None else 'string'
            if child.tag == xs('list'):
                return 'string'
            if child.tag == xs('union'):
                cats = set()
                for m in (child.get('memberTypes') or '').split():
                    cats.add(self.category(doc.qname(child, m), active, doc, child, depth))
                for inner in child.findall(xs('simpleType')):
                    cats.add(self.simple_category(inner, doc, active, depth + 1))
                return cats.pop() if len(cats) == 1 else 'string'
        return 'string'

    # ------------------------------------------------------------ attributes
    def attr_type(self, node, doc, active):
        if node.get('type'):
            return self.category(doc.qname(node, node.get('type')), active, doc, node)
        inner = node.find(xs('simpleType'))
        return self.simple_category(inner, doc, active) if inner is not None else 'string'

    def attributes(self, container, doc, active, out):
        for node in container:
            if node.tag == xs('attribute'):
                if node.get('ref'):
                    qn = doc.qname(node, node.get('ref'))
                    decl, ddoc, dactive = self.s.lookup('attribute', qn, active, doc, node)
                    name = clark(*qn)
                    typ = self.attr_type(decl, ddoc, dactive)
                else:
                    form = node.get('form', doc.afd)
                    name = clark(doc.tns if form == 'qualified' else '', node.get('name'))
                    typ = self.attr_type(node, doc, active)
                if node.get('use') == 'prohibited':
                    out.pop(name, None)
                else:
                    out[name] = typ
            elif node.tag == xs('attributeGroup') and node.get('ref'):
                qn = doc.qname(node, node.get('ref'))
                gnode, gdoc, gactive = self.s.lookup('attributeGroup', qn, active, doc, node)
                self.attributes(gnode, gdoc, gactive, out)

    # ------------------------------------------------------------ particles
    def particle(self, node, doc, active, info):
        """Occurrence counts {clark: max} of one particle, including its own maxOccurs."""
        tag = node.tag
        mult = max_occurs(node)
        counts = {}
        if mult == 0:
            return counts
        if tag == xs('element'):
            for name in self.element_particle(node, doc, active):
                counts[name] = mult
            return counts
        if tag == xs('any'):
            info.any = True
            return counts
        if tag == xs('group'):
            gnode, gdoc, gactive = self.s.lookup('group', doc.qname(node, node.get('ref')), active, doc, node)
            for child in gnode:
                if child.tag in (xs('sequence'), xs('choice'), xs('all')):
                    counts = self.particle(child, gdoc, gactive, info)
        elif tag in (xs('sequence'), xs('all')):
            for child in node:
                if child.tag == xs('annotation'):
                    continue
                for n, c in self.particle(child, doc, active, info).items():
                    counts[n] = cap(counts.get(n, 0) + c)
        elif tag == xs('choice'):
            for child in node:
                if child.tag == xs('annotation'):
                    continue
                for n, c in self.particle(child, doc, active, info).items():
                    counts[n] = max(counts.get(n, 0), c)
        else:
            return counts
        return {n: cap(c * mult) for n, c in counts.items()}

    def element_particle(self, node, doc, active):
        """Names an element particle stands for (a ref brings its substitution group)."""
        if node.get('ref'):
            qn = doc.qname(node, node.get('ref'))
            names = []
            self.substitutes(qn, active, doc, node, names, set())
            return names
        form = node.get('form', doc.efd)
        qn = (doc.tns if form == 'qualified' else '', node.get('name'))
        self.want(clark(*qn), node, doc, active)
        return [clark(*qn)]

    def substitutes(self, qn, active, doc, node, names, seen):
        if qn in seen:
            return
        seen.add(qn)
        decl, ddoc, dactive = self.s.lookup('element', qn, active, doc, node)
        if decl.get('abstract') != 'true':
            names.append(clark(*qn))
            self.want(clark(*qn), decl, ddoc, {})   # a global declaration means the same everywhere
        for member in self.s.subst.get(qn, []):
            self.substitutes(member, active, doc, node, names, seen)

    def want(self, name, node, doc, active):
        key = (doc.path, id(node))
        if key not in self.seen_decls:
            self.seen_decls.add(key)
            self.pending.append((name, node, doc, active))

    # ------------------------------------------------------------ types
    def complex_type(self, node, doc, active, info, depth=0):
        if depth > 50:
            raise SchemaError('%s: type derivation too deep' % doc.at(node))
        if node.get('mixed') == 'true':
            info.mixed = True
        for child in node:
            tag = child.tag
            if tag == xs('simpleContent'):
                info.text = True
                for der in child:
                    if der.tag in (xs('extension'), xs('restriction')):
                        self.base_type(der, doc, active, info, depth)
                        self.attributes(der, doc, active, info.attributes)
            elif tag == xs('complexContent'):
                if child.get('mixed') == 'true':
                    info.mixed = True
                for der in child:
                    if der.tag == xs('extension'):
                        self.base_type(der, doc, active, info, depth)
                        self.content(der, doc, active, info)
                        self.attributes(der, doc, active, info.attributes)
                    elif der.tag == xs('restriction'):
                        # the restricted content replaces the base content; attributes are inherited
                        base = Info()
                        self.base_type(der, doc, active, base, depth)
                        info.attributes.update(base.attributes)
                        info.text = info.text or base.text
                        self.content(der, doc, active, info)
                        self.attributes(der, doc, active, info.attributes)
            elif tag in (xs('sequence'), xs('choice'), xs('all'), xs('group')):
                self.content(node, doc, active, info)
                break
        self.attributes(node, doc, active, info.attributes)

    def content(self, container, doc, active, info):
        for child in container:
            if child.tag in (xs('sequence'), xs('choice'), xs('all'), xs('group')):
                for n, c in self.particle(child, doc, active, info).items():
                    info.children[n] = cap(info.children.get(n, 0) + c)

    def base_type(self, der, doc, active, info, depth):
        qn = doc.qname(der, der.get('base'))
        if qn[0] == XS:
            if qn[1] == 'anyType':
                info.any = info.mixed = True
            else:
                info.text = True
            return
        tnode, tdoc, tactive = self.s.lookup('type', qn, active, doc, der)
        if tnode.tag == xs('simpleType'):
            info.text = True
        else:
            self.complex_type(tnode, tdoc, tactive, info, depth + 1)

    def element(self, node, doc, active):
        info = Info()
        if node.get('type'):
            qn = doc.qname(node, node.get('type'))
            if qn[0] == XS:
                if qn[1] == 'anyType':
                    info.any = info.mixed = True
                else:
                    info.text = True
            else:
                tnode, tdoc, tactive = self.s.lookup('type', qn, active, doc, node)
                if tnode.tag == xs('simpleType'):
                    info.text = True
                else:
                    self.complex_type(tnode, tdoc, tactive, info)
        elif node.find(xs('complexType')) is not None:
            self.complex_type(node.find(xs('complexType')), doc, active, info)
        elif node.find(xs('simpleType')) is not None:
            info.text = True
        elif node.get('substitutionGroup'):
            head = doc.qname(node, node.get('substitutionGroup'))
            hnode, hdoc, hactive = self.s.lookup('element', head, active, doc, node)
            return self.element(hnode, hdoc, hactive)
        else:
            info.any = info.mixed = True   # no type: xs:anyType
        return info


def merge(into, other):
    for n, c in other.children.items():
        into.children[n] = max(into.children.get(n, 0), c)
    for n, t in other.attributes.items():
        if n not in into.attributes:
            into.attributes[n] = t
        elif into.attributes[n] != t:
            into.attributes[n] = 'string'
    into.text = into.text or other.text
    into.mixed = into.mixed or other.mixed
    into.any = into.any or other.any


def build_set(corpus_schemas, name, entries, root_local):
    schema = Schema(corpus_schemas)
    first = None
    for entry in entries:
        doc = schema.load(entry)
        if first is None:
            first = doc
    root_qn = (first.tns, root_local)
    res = Resolver(schema)
    rnode, rdoc, ractive = schema.lookup('element', root_qn, {}, first, first.root)
    res.want(clark(*root_qn), rnode, rdoc, ractive)
    infos = {}
    merged = set()
    while res.pending:
        ename, node, doc, active = res.pending.pop(0)
        info = res.element(node, doc, active)
        if ename in infos:
            if infos[ename].as_json() != info.as_json():
                merged.add(ename)
            merge(infos[ename], info)
        else:
            infos[ename] = info

    # namespaces: a prefix for every namespace the table names (first declaration wins)
    used = {root_qn[0], XML_NS}
    for ename, info in infos.items():
        for n in [ename] + list(info.children) + list(info.attributes):
            if n.startswith('{'):
                used.add(n[1:n.index('}')])
    prefixes = {}
    for doc in schema.docs.values():
        for prefix, uri in doc.decls:
            if prefix and prefix != 'xs' and uri in used and uri not in prefixes.values() \
                    and prefix not in prefixes:
                prefixes[prefix] = uri
    prefixes['xml'] = XML_NS
    for uri in sorted(used - set(prefixes.values())):
        prefixes['ns%d' % (len(prefixes) + 1)] = uri

    out = {
        'schema': name,
        'root': clark(*root_qn),
        'sources': schema.sources,
        'namespaces': dict(sorted(prefixes.items())),
        'elements': {n: infos[n].as_json() for n in sorted(infos)},
    }
    if merged:
        out['merged'] = sorted(merged)
    return out


def c_escape_pieces(text, limit=4000):
    pieces, cur, size = [], [], 0
    for ch in text:
        if ch == '\\':
            tok = '\\\\'
        elif ch == '"':
            tok = '\\"'
        elif ch == '?':
            tok = '\\?'          # never form a trigraph
        elif ch == '\n':
            tok = '\\n'
        elif ' ' <= ch <= '~':
            tok = ch
        else:
            tok = ''.join('\\%03o' % b for b in ch.encode('utf-8'))
        if size + len(tok) > limit:
            pieces.append(''.join(cur))
            cur, size = [], 0
        cur.append(tok)
        size += len(tok)
    pieces.append(''.join(cur))
    return pieces


def c_source(tables):
    lines = [
        '/* generated by tools/gen-odm-tables.py; do not edit',
        ' * (regenerate: /usr/bin/python3 tools/gen-odm-tables.py; format: schemas/odm/README.md) */',
        '#include <stddef.h>',
        '',
        'typedef struct dsj_odm_table_src { const char *schema; const char *json; } dsj_odm_table_src_t;',
        'extern const dsj_odm_table_src_t dsj_odm_table_sources[];',
        '',
        'const dsj_odm_table_src_t dsj_odm_table_sources[] = {',
    ]
    for t in tables:
        text = json.dumps(t, separators=(',', ':'), ensure_ascii=True)
        lines.append('    {"%s",' % t['schema'])
        pieces = c_escape_pieces(text)
        for i, p in enumerate(pieces):
            lines.append('     "%s"%s' % (p, '},' if i == len(pieces) - 1 else ''))
    lines.append('    {NULL, NULL}')
    lines.append('};')
    return '\n'.join(lines) + '\n'


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser(description='Generate schemas/odm/*.json and libdsjson/odm_tables.gen.c from the XSDs.')
    ap.add_argument('--corpus', default=os.path.join(repo, '..', 'shared', 'corpus'),
                    help='corpus folder holding schemas/ (default ../shared/corpus)')
    ap.add_argument('--out', default=repo, help='output root (default: the repository root)')
    ap.add_argument('--set', action='append', default=[], metavar='NAME:ROOT:ENTRY[,ENTRY...]',
                    help='generate only this set (repeatable): table name, root element local name, '
                         'entry XSDs relative to the corpus schemas/ folder')
    args = ap.parse_args(argv)
    sets = SETS
    if args.set:
        sets = []
        for spec in args.set:
            parts = spec.split(':', 2)
            if len(parts) != 3 or not all(parts):
                sys.stderr.write('gen-odm-tables: --set %r: expected NAME:ROOT:ENTRY[,ENTRY...]\n' % spec)
                return 2
            sets.append((parts[0], parts[2].split(','), parts[1]))
    schemas = os.path.join(args.corpus, 'schemas')
    if not os.path.isdir(schemas):
        sys.stderr.write('gen-odm-tables: %s: no schemas folder\n' % schemas)
        return 2
    tables = []
    try:
        for name, entries, root in sets:
            tables.append(build_set(schemas, name, entries, root))
    except SchemaError as e:
        sys.stderr.write('gen-odm-tables: %s: %s\n' % (name, e))
        return 1
    os.makedirs(os.path.join(args.out, 'schemas', 'odm'), exist_ok=True)
    os.makedirs(os.path.join(args.out, 'libdsjson'), exist_ok=True)
    for t in tables:
        path = os.path.join(args.out, 'schemas', 'odm', t['schema'] + '.json')
        with open(path, 'w', encoding='ascii', newline='\n') as f:
            f.write(json.dumps(t, indent=2, ensure_ascii=True) + '\n')
    with open(os.path.join(args.out, 'libdsjson', 'odm_tables.gen.c'), 'w', encoding='ascii', newline='\n') as f:
        f.write(c_source(tables))
    for t in tables:
        print('%s: %d elements, %d sources%s' % (t['schema'], len(t['elements']), len(t['sources']),
              ', merged: ' + ' '.join(t['merged']) if t.get('merged') else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
