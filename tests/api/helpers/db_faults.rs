//! Faults in the real database, for tests that must prove a use case's writes are atomic: a
//! trigger that aborts one chosen statement, created and dropped by the test. Nothing is
//! mocked: Payrail talks to the same engine, and the statement fails the way a lost connection
//! or a constraint would fail it mid-transaction.

use super::{on_postgres, TestApp};

/// A trigger that makes every `UPDATE` of `table` matching `when` (SQL over `OLD` and `NEW`,
/// the same in both engines) fail, until [`TestApp::clear_update_fault`] drops it.
pub struct UpdateFault<'a> {
    pub name: &'a str,
    pub table: &'a str,
    pub when: &'a str,
}

impl TestApp {
    pub async fn fail_updates(&self, f: UpdateFault<'_>) {
        let UpdateFault { name, table, when } = f;
        let statements = if on_postgres() {
            vec![
                format!(
                    "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'injected fault {name}'; END $$"
                ),
                format!(
                    "CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW \
                     WHEN ({when}) EXECUTE FUNCTION {name}()"
                ),
            ]
        } else {
            vec![format!(
                "CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW WHEN {when} \
                 BEGIN SELECT RAISE(ABORT, 'injected fault {name}'); END"
            )]
        };
        for sql in statements {
            sqlx::query(&sql).execute(&self.pool).await.unwrap();
        }
    }

    pub async fn clear_update_fault(&self, name: &str, table: &str) {
        let statements = if on_postgres() {
            vec![
                format!("DROP TRIGGER {name} ON {table}"),
                format!("DROP FUNCTION {name}()"),
            ]
        } else {
            vec![format!("DROP TRIGGER {name}")]
        };
        for sql in statements {
            sqlx::query(&sql).execute(&self.pool).await.unwrap();
        }
    }
}
