from __future__ import annotations

from workspace.cli.main import main

raise SystemExit(main())
