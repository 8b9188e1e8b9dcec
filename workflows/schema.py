"""Every table of the domain. Importing this module registers them all on engine's ``Base.metadata``, as Alembic
(migrations/env.py, `flask --app web db check`) and the tests' schema need."""
from __future__ import annotations

from .accounts import models as accounts  # noqa: F401
from .decisions import models as decisions  # noqa: F401
from .directory import models as directory  # noqa: F401
from .holidays import models as holidays  # noqa: F401
from .notifications import models as notifications  # noqa: F401
from .plan import models as plan  # noqa: F401
from .processes import models as processes  # noqa: F401
from .records import models as records  # noqa: F401
from .tasks import models as tasks  # noqa: F401
