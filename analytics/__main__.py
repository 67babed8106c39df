"""`python -m analytics`: the same command line as the `needsmine` console script."""

from analytics.cli import main

raise SystemExit(main())
