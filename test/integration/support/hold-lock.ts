/**
 * Another process holding the database's write lock: `node hold-lock.js DB MILLISECONDS` begins
 * an immediate transaction, prints "locked", holds it, commits, prints "released" and exits.
 */
import Database from 'better-sqlite3';

const [path, milliseconds] = process.argv.slice(2);
const database = new Database(path);
database.pragma('busy_timeout = 10000');
database.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\n');
setTimeout(() => {
  database.exec('COMMIT');
  database.close();
  process.stdout.write('released\n');
}, Number(milliseconds));
