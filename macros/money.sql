{#- The decimal type of every money column (original or reporting currency). -#}
{% macro type_money() -%}
    decimal(28, 6)
{%- endmacro %}

{#-
    A money amount given as a string ("59.90") or number, as a decimal. Unparseable values
    become null (the loader already routes type failures to the rejects tables).
-#}
{% macro parse_money(column) -%}
    {{ dbt.safe_cast('trim(cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ '))', type_money()) }}
{%- endmacro %}

{#- Any numeric string or number as a decimal (not only money: rates, shares, points). -#}
{% macro safe_decimal(column, precision=28, scale=6) -%}
    {{ dbt.safe_cast('trim(cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ '))', 'decimal(' ~ precision ~ ', ' ~ scale ~ ')') }}
{%- endmacro %}

{#- A count given as a string or number ("1500") as a bigint; fractional strings are truncated. -#}
{% macro safe_integer(column) -%}
    cast({{ safe_decimal(column, 38, 6) }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- Micros (Google Ads costMicros) to a decimal amount in the account currency. -#}
{% macro micros_to_money(column) -%}
    cast({{ safe_decimal(column, 38, 0) }} / 1000000 as {{ type_money() }})
{%- endmacro %}

{#-
    An amount in minor units (cents; 0 decimals for JPY/KRW; 3 for KWD) to a decimal, using
    the minor_units column of the currencies seed (joined by the caller).
-#}
{% macro minor_units_to_money(amount_column, minor_units_column) -%}
    cast({{ safe_decimal(amount_column, 38, 0) }} / power(10, coalesce({{ minor_units_column }}, 2)) as {{ type_money() }})
{%- endmacro %}
