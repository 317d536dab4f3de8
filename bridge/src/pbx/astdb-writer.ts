// A PBX that keeps a caller-name database: Asterisk's AstDB, written with the AMI actions DBPut
// and DBDel. The Asterisk adapter implements it; the directory pushes caller names through it
// (directory/astdb) without knowing the concrete adapter.

export interface AstDbWriter {
  put(family: string, key: string, value: string): Promise<void>;
  /** Deleting a key that does not exist is not an error. */
  del(family: string, key: string): Promise<void>;
}
