{#-
    Salted SHA-256 of a PII value, hex encoded (64 lowercase characters).
    Null in, null out. The salt comes from var('pii_salt') (env PII_SALT).
    dbt.hash() is MD5 and unsalted, so it is not used for PII.
-#}
{% macro hash_pii(column) -%}
    {{ return(adapter.dispatch('hash_pii', 'xborder')(column)) }}
{%- endmacro %}

{% macro pii_salt_literal() -%}
    '{{ var("pii_salt") | replace("'", "''") }}'
{%- endmacro %}

{% macro default__hash_pii(column) -%}
    case
        when {{ column }} is null then null
        else lower(sha2(concat({{ pii_salt_literal() }}, cast({{ column }} as {{ dbt.type_string() }})), 256))
    end
{%- endmacro %}

{% macro duckdb__hash_pii(column) -%}
    case
        when {{ column }} is null then null
        else sha256(concat({{ pii_salt_literal() }}, cast({{ column }} as {{ dbt.type_string() }})))
    end
{%- endmacro %}

{% macro postgres__hash_pii(column) -%}
    case
        when {{ column }} is null then null
        else encode(sha256(convert_to(concat({{ pii_salt_literal() }}, cast({{ column }} as text)), 'UTF8')), 'hex')
    end
{%- endmacro %}

{% macro bigquery__hash_pii(column) -%}
    case
        when {{ column }} is null then null
        else to_hex(sha256(concat({{ pii_salt_literal() }}, cast({{ column }} as string))))
    end
{%- endmacro %}

{#- Email: trimmed and lower-cased before hashing, so the same address hashes the same everywhere. -#}
{% macro normalize_email(column) -%}
    nullif(lower(trim(cast({{ column }} as {{ dbt.type_string() }}))), '')
{%- endmacro %}

{% macro hash_email(column) -%}
    {{ hash_pii(normalize_email(column)) }}
{%- endmacro %}

{#-
    Phone: E.164-style '+<digits>'. Every non-digit is removed; no country code is inferred
    for numbers written without one (they hash as '+<national digits>').
-#}
{% macro normalize_phone(column) -%}
    {{ return(adapter.dispatch('normalize_phone', 'xborder')(column)) }}
{%- endmacro %}

{% macro default__normalize_phone(column) -%}
    nullif(concat('+', regexp_replace(cast({{ column }} as {{ dbt.type_string() }}), '[^0-9]', '')), '+')
{%- endmacro %}

{% macro duckdb__normalize_phone(column) -%}
    nullif(concat('+', regexp_replace(cast({{ column }} as {{ dbt.type_string() }}), '[^0-9]', '', 'g')), '+')
{%- endmacro %}

{% macro postgres__normalize_phone(column) -%}
    nullif(concat('+', regexp_replace(cast({{ column }} as text), '[^0-9]', '', 'g')), '+')
{%- endmacro %}

{% macro hash_phone(column) -%}
    {{ hash_pii(normalize_phone(column)) }}
{%- endmacro %}
