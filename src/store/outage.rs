//! Which database errors mean "the database cannot be reached (or will not take work) right
//! now", as opposed to a bug or a bad query.
//!
//! The HTTP layer answers the first kind 503 `service_unavailable` with `Retry-After`
//! (docs/decisions.md, "A database outage"): the request did nothing and a retry later is the right
//! move. Everything else stays a 500 `internal_error`, because retrying a broken query never helps.

use sqlx::error::DatabaseError;

/// Postgres SQLSTATEs of a lost or refusing server: class 08 (connection exception), 57P01
/// `admin_shutdown`, 57P02 `crash_shutdown`, 57P03 `cannot_connect_now` (starting up or
/// recovering), 53300 `too_many_connections`.
fn pg_unavailable(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// SQLite primary result codes: `SQLITE_BUSY` (5, the busy timeout ran out behind another
/// writer), `SQLITE_LOCKED` (6) and `SQLITE_CANTOPEN` (14, "unable to open database file").
fn sqlite_unavailable(extended_code: i64) -> bool {
    matches!(extended_code & 0xff, 5 | 6 | 14)
}

fn database_unavailable(err: &dyn DatabaseError) -> bool {
    if let Some(pg) = err.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return pg_unavailable(pg.code());
    }
    if err
        .try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .is_some()
    {
        return err
            .code()
            .and_then(|c| c.parse::<i64>().ok())
            .is_some_and(sqlite_unavailable);
    }
    false
}

/// True when `err` says the database is unreachable or refusing work for now.
pub fn is_outage(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => database_unavailable(db.as_ref()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_level_errors_are_outages_and_query_errors_are_not() {
        assert!(is_outage(&sqlx::Error::PoolTimedOut));
        assert!(is_outage(&sqlx::Error::PoolClosed));
        assert!(is_outage(&sqlx::Error::WorkerCrashed));
        assert!(is_outage(&sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused
        ))));
        assert!(!is_outage(&sqlx::Error::RowNotFound));
        assert!(!is_outage(&sqlx::Error::Protocol("bad message".into())));
        assert!(!is_outage(&sqlx::Error::ColumnNotFound("x".into())));
    }

    #[test]
    fn sqlstates_of_a_lost_server_are_outages() {
        for code in [
            "08000", "08003", "08006", "08001", "57P01", "57P02", "57P03", "53300",
        ] {
            assert!(pg_unavailable(code), "{code}");
        }
        for code in ["23505", "22008", "42P01", "40001", "57014"] {
            assert!(!pg_unavailable(code), "{code}");
        }
    }

    #[test]
    fn sqlite_busy_locked_and_cantopen_are_outages_with_their_extended_codes() {
        // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT (517), SQLITE_LOCKED, SQLITE_CANTOPEN,
        // SQLITE_CANTOPEN_ISDIR (526).
        for code in [5, 517, 6, 14, 526] {
            assert!(sqlite_unavailable(code), "{code}");
        }
        // SQLITE_CONSTRAINT_UNIQUE (2067), SQLITE_ERROR, SQLITE_IOERR, SQLITE_CORRUPT.
        for code in [2067, 1, 10, 11] {
            assert!(!sqlite_unavailable(code), "{code}");
        }
    }

    #[tokio::test]
    async fn a_sqlite_file_that_cannot_be_opened_is_an_outage() {
        let options = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(
            "sqlite:///nonexistent-payrail-dir/x/payrail.db",
        )
        .unwrap();
        let err = sqlx::sqlite::SqlitePoolOptions::new()
            .connect_with(options)
            .await
            .unwrap_err();
        assert!(is_outage(&err), "{err:?}");
    }
}
