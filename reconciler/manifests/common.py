"""Field types shared by every kind: one implementation of each API rule.

Each type validates with a message of our own (pydantic's defaults quote regexes) and carries
the same constraint into the generated JSON Schema, so editors and `reconcile validate` agree.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

API_VERSION = "reconcile.konghq.dev/v1"

MAX_LABELS = 50
RESERVED_LABEL_PREFIXES = ("_", "kong", "konnect", "insomnia", "mesh", "kic", "kuma", "openmeter")

_LABEL_PART = r"^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$"
_DURATION = (
    r"^P(?!$)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?W)?(?:\d+(?:\.\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$"
)
ENV_REFERENCE = r"^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$"


# One set of field names for all the models that were given the same fields; see below.
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


class StrictModel(BaseModel):
    """Base of every manifest model: unknown fields are errors, never silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def model_post_init(self, context: Any, /) -> None:
        # pydantic gives each instance its own set of the fields it was given: at 216 bytes,
        # over 40% of what a loaded manifest holds. A frozen model's set is never changed
        # (`model_copy` copies it before adding to it), so equal sets are shared.
        given = self.__pydantic_fields_set__
        shared = _FIELDS_SETS.setdefault(frozenset(given), given)
        object.__setattr__(self, "__pydantic_fields_set__", shared)


@functools.cache
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


@dataclass(frozen=True)
class Pattern:
    """`Annotated[str, Pattern(...)]`: a string matching `regex`, else `message` (never the value).

    The regex (and length limit) also go into the JSON Schema.
    """

    regex: str
    message: str
    code: str = "bad-format"
    max_length: int | None = None

    def _check(self, value: str) -> str:
        if self.max_length is not None and len(value) > self.max_length:
            raise PydanticCustomError(
                "bad-length", "must be at most {limit} characters", {"limit": self.max_length}
            )
        if not _compiled(self.regex).fullmatch(value):  # `$` alone would accept a trailing newline
            raise PydanticCustomError(self.code, self.message)
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.regex
        if self.max_length is not None:
            json_schema["maxLength"] = self.max_length
        return json_schema


Name = Annotated[str, Field(min_length=1, max_length=256)]
Description = Annotated[str, Field(max_length=1024)]

ManifestName = Annotated[
    str,
    Pattern(
        r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
        "must be lower-case letters, digits and '-', starting and ending with a letter or digit",
        max_length=63,
    ),
]
_MANIFEST_NAMES: TypeAdapter[str] = TypeAdapter(ManifestName)


def is_manifest_name(text: str) -> bool:
    try:
        _MANIFEST_NAMES.validate_python(text)
    except ValidationError:
        return False
    return True


ResourceKey = Annotated[
    str,
    Pattern(
        r"^[a-z0-9]+(?:_[a-z0-9]+)*$",
        "must be lower snake case: lower-case letters and digits separated by single '_'",
        max_length=64,
    ),
]
CountryCode = Annotated[
    str,
    Pattern(r"^[A-Z]{2}$", "must be a two-letter upper-case ISO 3166 country code"),
]
CurrencyCode = Annotated[
    str,
    Pattern(r"^[A-Z]{3}$", "must be a three-letter upper-case ISO 4217 currency code"),
]
Email = Annotated[str, Pattern(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "must be an email address")]
Iso8601Duration = Annotated[
    str,
    Pattern(
        _DURATION,
        "must be an ISO-8601 duration such as P0D, PT1H or P30D "
        "(the API would silently replace an invalid one with its default)",
        code="bad-duration",
    ),
    Field(examples=["P0D", "PT1H", "P30D"], json_schema_extra={"format": "duration"}),
]


def check_secret_reference(value: str) -> str:
    if re.fullmatch(ENV_REFERENCE, value):
        return value
    if value.startswith("${env:"):
        raise PydanticCustomError(
            "secret-reference",
            "environment variable name in ${env:NAME} must be letters, digits and '_', "
            "not starting with a digit",
        )
    raise PydanticCustomError(
        "secret-reference", "must be a reference ${env:NAME}, never the secret itself"
    )


SecretReference = Annotated[
    str,
    Field(
        json_schema_extra={"pattern": ENV_REFERENCE},
        description="A reference `${env:NAME}` to the environment variable holding the secret.",
        examples=["${env:STRIPE_API_KEY}"],
    ),
    AfterValidator(check_secret_reference),
]


def _not_reserved(key: str) -> str:
    if key.startswith(RESERVED_LABEL_PREFIXES):
        raise PydanticCustomError(
            "reserved-label-prefix",
            "label key must not start with a reserved prefix ({prefixes})",
            {"prefixes": ", ".join(RESERVED_LABEL_PREFIXES)},
        )
    return key


def _at_most_max_labels(labels: dict[str, str]) -> dict[str, str]:
    if len(labels) > MAX_LABELS:
        raise PydanticCustomError(
            "too-many-labels", "at most {limit} labels are allowed", {"limit": MAX_LABELS}
        )
    return labels


LabelKey = Annotated[
    str,
    Pattern(
        _LABEL_PART,
        "label key must be 1-63 letters or digits, with single '.', '_' or '-' between them",
        code="bad-label",
        max_length=63,
    ),
    AfterValidator(_not_reserved),
]
LabelValue = Annotated[
    str,
    Pattern(
        _LABEL_PART,
        "label value must be 1-63 letters or digits, with single '.', '_' or '-' between them",
        code="bad-label",
        max_length=63,
    ),
]
_RESERVED_LOOKAHEAD = "(?!" + "|".join(map(re.escape, RESERVED_LABEL_PREFIXES)) + ")"
Labels = Annotated[
    dict[LabelKey, LabelValue],
    AfterValidator(_at_most_max_labels),
    WithJsonSchema(
        {
            "type": "object",
            "maxProperties": MAX_LABELS,
            "propertyNames": {
                "pattern": "^" + _RESERVED_LOOKAHEAD + _LABEL_PART[1:],
                "maxLength": 63,
            },
            "additionalProperties": {"type": "string", "pattern": _LABEL_PART, "maxLength": 63},
            "description": (
                "Konnect labels. Keys and values: 1-63 letters or digits with single '.', '_' or "
                f"'-' between them; at most {MAX_LABELS}; keys must not start with "
                + ", ".join(RESERVED_LABEL_PREFIXES)
                + "."
            ),
        }
    ),
]


class Address(StrictModel):
    """A postal address, as Konnect's Address object."""

    country: CountryCode | None = Field(default=None, description="ISO 3166 alpha-2, e.g. US.")
    postal_code: str | None = None
    state: str | None = None
    city: str | None = None
    line1: str | None = None
    line2: str | None = None
    phone_number: str | None = None


# Set to "true" to let a manifest take over a live object reconcile did not create.
ADOPT_ANNOTATION = "reconcile.konghq.dev/adopt"

AnnotationKey = Annotated[
    str,
    Pattern(
        r"^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?/)?[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$",
        "annotation key must be an optional DNS prefix and '/', then 1-63 letters, digits, "
        "'.', '_' or '-'",
        max_length=317,
    ),
]


def _adopt_is_boolean(annotations: dict[str, str]) -> dict[str, str]:
    if annotations.get(ADOPT_ANNOTATION, "true") not in ("true", "false"):
        raise PydanticCustomError(
            "bad-value", '{key} must be "true" or "false"', {"key": ADOPT_ANNOTATION}
        )
    return annotations


class Metadata(StrictModel):
    """The document's handle: references between documents use `name`."""

    name: ManifestName = Field(description="Unique per kind; other documents refer to it.")
    labels: Labels | None = Field(default=None, description="Become the resource's labels.")
    annotations: Annotated[dict[AnnotationKey, str], AfterValidator(_adopt_is_boolean)] | None = (
        Field(
            default=None,
            description=(
                "Notes for reconcile, never sent to Konnect. "
                f'`{ADOPT_ANNOTATION}: "true"` lets this manifest take over a live object '
                "with its key that reconcile did not create (see Adopting existing resources)."
            ),
        )
    )

    @property
    def adopt(self) -> bool:
        return (self.annotations or {}).get(ADOPT_ANNOTATION) == "true"
