"""Django's JSON serialization format, but timestamps keep their microseconds.

Django's encoder cuts datetimes and times to milliseconds, so `dumpdata` → `loaddata` quietly
changed every timestamp. Registered as the "json" format (SERIALIZATION_MODULES), so `dumpdata`,
`loaddata` and django-reversion's stored versions all use it; the files are still plain Django
JSON fixtures that any Django can load.
"""

import datetime

from django.core.serializers import json
from django.core.serializers.json import DjangoJSONEncoder


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            if isinstance(o, datetime.time) and o.utcoffset() is not None:
                raise ValueError("JSON can't represent timezone-aware times.")
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(json.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactJSONEncoder


Deserializer = json.Deserializer
