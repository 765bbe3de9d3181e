"""check-installed.py PYEXECDIR DESTDIR LIBDIR: the installed package imports without PYTHONPATH.

Run by `make installcheck` (and so by `make distcheck`) with the configured interpreter,
isolated (python -I: no PYTHONPATH, no user site, not even this script's directory on
sys.path). configure chose PYEXECDIR as the directory this interpreter installs packages into
(sysconfig's platlib of its default scheme), re-rooted under the configured prefix:

- when the prefix is one the interpreter reads (Debian's /usr/bin/python3 with the default
  prefix /usr/local: /usr/local/lib/python3.X/dist-packages), PYEXECDIR is on its sys.path
  as it starts, and `import sriovfo` must find the installed package there as it is;
- otherwise (make distcheck's prefix, --prefix=/opt/...) PYEXECDIR must have the layout of the
  interpreter's own directory under the prefix, and the package must import from it once
  that directory takes the place of the interpreter's own on sys.path.

With DESTDIR, the files are under DESTDIR: that directory takes the place of PYEXECDIR, and
the caller puts DESTDIR/LIBDIR on LD_LIBRARY_PATH. Then it imports sriovfo, sriovfo.vdsm_hook,
sriovfo.Exec and sriovfo.Store, and checks that each Python file and SWIG module came from
the installed package and that the libsriovfo libraries mapped are the installed ones.
"""

import os
import sys
import sysconfig

sys.dont_write_bytecode = True  # write nothing into the installed tree (distcheck checks)


def fail(msg):
    sys.stderr.write("check-installed: FAIL: %s\n" % msg)
    sys.exit(1)


def main(pyexecdir, destdir, libdir):
    pyexecdir = os.path.normpath(pyexecdir)
    installed = os.path.normpath(destdir + pyexecdir) if destdir else pyexecdir
    own = os.path.normpath(sysconfig.get_path("platlib"))
    path = [os.path.normpath(p) for p in sys.path]
    if own not in path:
        fail("the interpreter's own platlib %s is not on its sys.path %s" % (own, sys.path))
    layout = own[own.rfind("/%s/python" % sys.platlibdir) + 1:]
    if not pyexecdir.endswith("/" + layout):
        fail("%s does not end in %s, where %s looks under a prefix" %
             (pyexecdir, layout, sys.executable))
    if pyexecdir in path:
        how = "%s is on %s's sys.path as it starts" % (pyexecdir, sys.executable)
        slot = path.index(pyexecdir)
    else:
        how = ("the prefix is not one %s reads (it reads %s); %s has its layout" %
               (sys.executable, own, pyexecdir))
        slot = path.index(own)
    sys.path[slot] = installed

    import sriovfo
    import sriovfo.vdsm_hook

    for name in ("Exec", "Store"):  # their first use imports sriovfo._virt and sriovfo._store
        getattr(sriovfo, name)
    package = os.path.join(installed, "sriovfo")
    for name in ("sriovfo", "sriovfo.vdsm_hook", "sriovfo.errors", "sriovfo.virt",
                 "sriovfo.store", "sriovfo._sriovfo", "sriovfo._virt", "sriovfo._store"):
        where = os.path.dirname(os.path.abspath(sys.modules[name].__file__))
        if where != package:
            fail("%s was imported from %s, not from %s" % (name, where, package))
    with open("/proc/self/maps") as f:
        mapped = {line.split()[-1] for line in f if "libsriovfo" in line}
    libs = os.path.normpath(destdir + libdir) if destdir else os.path.normpath(libdir)
    names = {os.path.basename(m).split(".so")[0] for m in mapped}
    if names != {"libsriovfo", "libsriovfo-virt", "libsriovfo-store"}:
        fail("mapped libsriovfo libraries: %s" % sorted(mapped))
    stray = sorted(m for m in mapped if os.path.dirname(m) != libs)
    if stray:
        fail("libraries not from %s: %s" % (libs, stray))
    print("check-installed: %s imports without PYTHONPATH (%s), with its three modules and "
          "libraries from %s" % (package, how, libs))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        fail("usage: check-installed.py PYEXECDIR DESTDIR LIBDIR")
    sys.exit(main(*sys.argv[1:]))
