/**
 * SQL is parameters, always: `sql` turns interpolated values into bound parameters, and
 * `identifier` admits a name only from a fixed list the caller supplies.
 */

/** A statement text with its bound values. */
export interface Sql {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** Tagged template: every `${value}` becomes a `?` parameter; nested `Sql` fragments are spliced in. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  let text = strings[0];
  const bound: unknown[] = [];
  values.forEach((value, index) => {
    if (isSql(value)) {
      text += value.text;
      bound.push(...value.values);
    } else {
      text += '?';
      bound.push(value);
    }
    text += strings[index + 1];
  });
  return { text, values: bound };
}

function isSql(value: unknown): value is Sql {
  return typeof value === 'object' && value !== null && 'text' in value && 'values' in value && Object.keys(value).length === 2;
}

/** Join fragments with a separator (e.g. AND-ed filters). */
export function joinSql(fragments: readonly Sql[], separator: string): Sql {
  return {
    text: fragments.map((fragment) => fragment.text).join(separator),
    values: fragments.flatMap((fragment) => fragment.values),
  };
}

/** A column or table name, accepted only if it is one of `allowed`. */
export function identifier<T extends string>(name: string, allowed: readonly T[]): Sql {
  if (!(allowed as readonly string[]).includes(name)) throw new Error(`identifier ${JSON.stringify(name)} is not allowed here`);
  return { text: `"${name}"`, values: [] };
}
