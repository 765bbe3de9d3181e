#!/usr/bin/env python3
# gen-errors.py: the error -> exception mapping of the Python bindings, generated from the C API
#
#   gen-errors.py swig   HEADER SYMFILE     > sriovfo_errors.i (one such file per library)
#   gen-errors.py python SRIOVFO_H CORE_DIR > sriovfo/errors.py
#
# swig: reads every prototype of HEADER, one library's public header (sriovfo.h,
# sriovfo-virt.h or sriovfo-store.h, without the headers it includes), for that library's
# SWIG module. For each function returning int it writes an %exception block that clears the
# thread's last error, calls the function and, when the result is negative, raises the
# exception of that sfo_error_code with the key and message of sfo_error_last()
# (sfo_swig_raise() in sriovfo_python_common.i). For a function with ret_*
# outputs the int status is not returned: the outputs are (%typemap(out) int NAME).
# Every symbol of SYMFILE (the library's version script) must be a prototype of HEADER, so a
# function the header lacks or this parser cannot read stops the build instead of going
# unwrapped.
#
# python: reads the sfo_error_code enum of sriovfo.h and every library error key
# (#define SFO_KEY_NAME "NAME") in the headers under CORE_DIR, and writes the module
# sriovfo.errors: the Error base class, one subclass per code (CLASSES below; a code not
# listed there gets <Name>Error), and the keys as constants.
#
# Like libselinux's exception.sh, the mapping is regenerated whenever the header changes, so
# it cannot drift from the C API. Conventions checked here (the build fails otherwise):
# every T **, char ** and int * parameter is an output named ret_*; a function with outputs
# returns int.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import sys

# sfo_error_code -> (Python class, extra Python base or None, docstring or None for the
# enum's comment)
CLASSES = {
    "SFO_ERROR": ("Error", None, None),
    "SFO_EINVALID": ("InvalidInput", "ValueError", None),
    "SFO_ENOTFOUND": ("NotFound", "KeyError", None),
    "SFO_EIO": ("IOFailure", "OSError", None),
    "SFO_EVIOLATED": (
        "RuleViolation", None,
        "one or more rules are violated: .violations lists them\n"
        "    (a sriovfo.Violations), .key and .message are the first error's. Raised by a store\n"
        "    call the rules refused (nothing was written) and by Violations.raise_for_errors()."),
    "SFO_EAUTH": (
        "AuthFailed", None,
        "a login or a token was refused: .key is AUTH_FAILED (wrong name or password),\n"
        "    AUTH_RATE_LIMITED, AUTH_TOKEN_INVALID or AUTH_TOKEN_EXPIRED."),
}

# int functions whose negative result is a value, not an error (no last error is set)
NOT_STATUS = {
    "sfo_violations_severity",  # -1 for an index out of range
}


def die(msg):
    sys.stderr.write("gen-errors.py: %s\n" % msg)
    sys.exit(1)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def parse_codes(header):
    """[(name, value, comment)] of the sfo_error_code enum, SFO_OK excluded."""
    m = re.search(r"typedef\s+enum\s*\{(.*?)\}\s*sfo_error_code\s*;", header, re.S)
    if not m:
        die("no 'typedef enum { ... } sfo_error_code;' in the header")
    codes = []
    for line in m.group(1).splitlines():
        e = re.match(r"\s*(SFO_\w+)\s*=\s*(-?\d+)\s*,?\s*(?:/\*\s*(.*?)\s*\*/)?", line)
        if e and e.group(1) != "SFO_OK":
            codes.append((e.group(1), int(e.group(2)), e.group(3) or ""))
    if not codes:
        die("the sfo_error_code enum has no negative codes")
    return codes


def parse_keys(core_dir):
    """{key: header it is defined in} of every #define SFO_KEY_X "X" under core_dir."""
    keys = {}
    for root, dirs, files in os.walk(core_dir):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".h"):
                continue
            path = os.path.join(root, name)
            for m in re.finditer(r'^#define\s+SFO_KEY_(\w+)\s+"(\w+)"', read(path), re.M):
                if m.group(1) != m.group(2):
                    die('%s: SFO_KEY_%s is "%s"; the macro names its key' %
                        (path, m.group(1), m.group(2)))
                keys[m.group(2)] = os.path.relpath(path, os.path.dirname(core_dir))
    return keys


def parse_functions(header):
    """[(name, return type, [(type, name)])] of every sfo_* prototype."""
    text = strip_comments(header)
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
    funcs = []
    proto = re.compile(r"([A-Za-z_][\w\s\*]*?)\b(sfo_\w+)\s*\(([^;{}]*?)\)\s*;")
    for m in proto.finditer(text):
        ret = " ".join(m.group(1).split())
        ret = re.sub(r".*\b(typedef|struct|enum)\b.*", "", ret)
        if not ret:
            continue
        params = []
        args = " ".join(m.group(3).split())
        if args and args != "void":
            for p in args.split(","):
                pm = re.match(r"(.*?)\s*\b(\w+)$", p.strip())
                if not pm:
                    die("%s: cannot read parameter '%s'" % (m.group(2), p))
                params.append((pm.group(1).replace(" *", "*").replace("* ", "*").strip(),
                               pm.group(2)))
        funcs.append((m.group(2), ret, params))
    return funcs


# the parameter types sriovfo.i takes as outputs (typemaps SFO_OUT_OBJECT, SFO_OUT_STRING,
# SFO_OUT_INT)
def is_output_type(ptype):
    return ptype.endswith("**") or ptype == "int*"


def outputs(name, ret, params):
    outs = []
    for ptype, pname in params:
        if is_output_type(ptype):
            if not pname.startswith("ret_"):
                die("%s: parameter %s of type %s: a T **, char ** or int * parameter is an "
                    "output and is named ret_*" % (name, pname, ptype))
            outs.append(pname)
        elif pname.startswith("ret_"):
            die("%s: output %s must be a T **, char ** or int *" % (name, pname))
    if outs and ret != "int":
        die("%s: a function with ret_* outputs returns int" % name)
    return outs


def parse_symfile(text):
    text = re.sub(r"#[^\n]*", "", text)
    names = []
    for block in re.findall(r"global:(.*?)(?:local:|\})", text, re.S):
        names += re.findall(r"(\w+)\s*;", block)
    return names


def gen_swig(header_path, sym_path):
    header = read(header_path)
    funcs = parse_functions(header)
    known = {f[0] for f in funcs}
    missing = [s for s in parse_symfile(read(sym_path)) if s not in known]
    if missing:
        die("in %s but no prototype found in %s: %s" %
            (sym_path, header_path, ", ".join(missing)))
    out = [
        "/* generated by bindings/python/gen-errors.py from %s; do not edit." %
        os.path.basename(header_path),
        " * Negative results of int functions become exceptions (sfo_swig_raise()); the int",
        " * status of a function with ret_* outputs is not returned, its outputs are. */",
        "",
    ]
    for name, ret, params in sorted(funcs):
        outs = outputs(name, ret, params)
        if ret != "int" or name in NOT_STATUS:
            continue
        out += [
            "%%exception %s {" % name,
            "    sfo_error_clear();",
            "    $action",
            "    if (result < 0) {",
            '        sfo_swig_raise(result, "%s");' % name,
            "        SWIG_fail;",
            "    }",
            "}",
        ]
        if outs:
            out.append('%%typemap(out) int %s "$result = NULL; /* outputs: %s */";' %
                       (name, ", ".join(outs)))
        out.append("")
    return "\n".join(out)


PY_HEAD = '''\
"""Exceptions of the sriovfo bindings, one per sfo_error_code, and the library error keys.

Generated by bindings/python/gen-errors.py from sriovfo.h and core/*/*.h; do not edit.
A failing call raises the class of its sfo_error_code with the key and message of the
library's last error; docs/error-keys.md lists every key. Rule violations are data (lists of
sriovfo.Violation); RuleViolation is raised where they stop something: by a store call the
rules refused (SFO_EVIOLATED; the wrapper hands the call's violations to the exception) and
by Violations.raise_for_errors().
"""


class Error(Exception):
    """Base class of every sriovfo error.

    .code       the sfo_error_code of the failure
    .key        stable, machine-matchable key, e.g. "INVENTORY_WRONG_TYPE"
    .message    one line of English naming what is wrong and where
    .violations the rule violations behind the error (a list; empty for library errors)
    """

    code = %(base_code)s

    def __init__(self, message, key=None, violations=()):
        super().__init__(message)
        self.key = key
        self.message = message
        # a list as it is (a sriovfo.Violations stays one), any other iterable as a list
        self.violations = violations if isinstance(violations, list) else list(violations)

    def __str__(self):
        return "%%s: %%s" %% (self.key, self.message) if self.key else str(self.message)

    def __reduce__(self):
        return (type(self), (self.message, self.key, list(self.violations)))
'''

PY_TAIL = '''

# sfo_error_code -> class
CLASSES = {
%(classes)s
}


def _from_error(code, key, message):
    """The exception for a negative result @code of a C function and its last error (called
    by the SWIG wrappers)."""
    cls = CLASSES.get(code, Error)
    exc = cls(message if message is not None else "failed with code %%d" %% code, key)
    exc.code = code
    return exc


# Library error keys (docs/error-keys.md)
%(keys)s

KEYS = frozenset({
%(keyset)s
})
'''


def camel(code):
    return "".join(w.capitalize() for w in code[len("SFO_E"):].split("_")) + "Error"


def gen_python(header_path, core_dir):
    codes = parse_codes(read(header_path))
    keys = parse_keys(core_dir)
    if not keys:
        die("no #define SFO_KEY_ under %s" % core_dir)
    names = {}
    base_code = None
    body = []
    for code, value, comment in codes:
        cls, extra, doc = CLASSES.get(code, (camel(code), None, None))
        names[value] = cls
        if cls == "Error":
            base_code = value
            continue
        bases = "Error, %s" % extra if extra else "Error"
        doc = "%s (%d)%s" % (code, value, ": " + (doc or comment) if doc or comment else "")
        body.append('\n\nclass %s(%s):\n    """%s"""\n\n    code = %d\n' %
                    (cls, bases, doc, value))
        if extra == "KeyError":
            body.append("\n    __str__ = Error.__str__\n")
    if base_code is None:
        die("sfo_error_code has no SFO_ERROR for the base class")
    text = PY_HEAD % {"base_code": base_code}
    text += "".join(body)
    text += PY_TAIL % {
        "classes": "\n".join("    %d: %s," % (v, names[v]) for v in sorted(names, reverse=True)),
        "keys": "\n".join('%s = "%s"  # %s' % (k, k, keys[k]) for k in sorted(keys)),
        "keyset": "\n".join("    %s," % k for k in sorted(keys)),
    }
    return text


def main(argv):
    if len(argv) != 4 or argv[1] not in ("swig", "python"):
        die("usage: gen-errors.py swig HEADER SYMFILE | python SRIOVFO_H CORE_DIR")
    if argv[1] == "swig":
        sys.stdout.write(gen_swig(argv[2], argv[3]))
    else:
        sys.stdout.write(gen_python(argv[2], argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
