from __future__ import annotations

import sys

from mediahub_client.cli import main

sys.exit(main())
