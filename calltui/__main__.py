from calltui.cli import main

raise SystemExit(main())
