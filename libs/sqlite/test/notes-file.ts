import { openDatabase } from '../src/open-database';

/**
 * Everything a read-model file holds for the specs' `notes_v1` read model (an `owner`
 * index, a `tags` side table), as another connection reads it.
 */
export function notesFileContents(file: string): unknown {
  const db = openDatabase(file);
  try {
    return {
      rows: db.prepare('SELECT id, position, doc, "doc.owner" FROM rm_notes_v1 ORDER BY id').all(),
      tags: db.prepare('SELECT value, id FROM rm_notes_v1__tags ORDER BY value, id').all(),
      indexes: db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
        )
        .all(),
      checkpoint: db.prepare('SELECT position FROM checkpoints').all(),
    };
  } finally {
    db.close();
  }
}
