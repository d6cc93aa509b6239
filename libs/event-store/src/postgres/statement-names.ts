/**
 * Names for the statements a PostgreSQL store sends again and again. A named statement is parsed and planned
 * once per connection, then only bound and executed; the names are per store (the schema is part of them),
 * so two stores in one process never share a name for different SQL.
 */
export class StatementNames {
  /** SQL text -> prepared statement name. */
  private readonly names = new Map<string, string>();

  constructor(private readonly schema: string) {}

  name(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `es_${this.schema}_${this.names.size}`;
      this.names.set(text, name);
    }
    return name;
  }
}
