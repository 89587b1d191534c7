"""``python -m i18n update|compile|check``: keep the catalogues (see :mod:`i18n.catalog`)."""
import sys

from . import DOMAINS, catalog


def main(argv: list[str]) -> int:
    verb = argv[0] if argv else "check"
    if verb == "update":
        for domain in DOMAINS:
            if catalog.po_path("es", domain).exists():
                print(catalog.po_path("es", domain), len(catalog.update("es", domain)))
        return 0
    if verb == "compile":
        for path in catalog.compile_all():
            print(path)
        return 0
    if verb == "check":
        found = catalog.problems()
        print("\n".join(found) or "ok")
        return 1 if found else 0
    print(__doc__)
    return 2


sys.exit(main(sys.argv[1:]))
