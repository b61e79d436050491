// better-sqlite3 whose statements fail on their third `get`, as the reader thread's driver in
// specs: `exit` ends the thread there (it dies), `throw` fails that read (READER_FAILURE).
const Database = require('better-sqlite3');

let gets = 0;

module.exports = function FailingDatabase(file, options) {
  const db = new Database(file, options);
  const prepare = db.prepare.bind(db);
  db.prepare = (sql) => {
    const statement = prepare(sql);
    const get = statement.get.bind(statement);
    statement.get = (...params) => {
      gets += 1;
      if (gets === 3 && process.env.READER_FAILURE === 'exit') process.exit(1);
      if (gets === 3 && process.env.READER_FAILURE === 'throw') throw new Error('disk I/O error');
      return get(...params);
    };
    return statement;
  };
  return db;
};
