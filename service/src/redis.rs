//! The few Redis commands the service uses, on one auto-reconnecting connection with
//! short timeouts: a Redis that goes away makes requests that need it fail fast (and
//! fail closed), never hang.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// A Redis server.
#[derive(Clone)]
pub struct Redis {
    connection: ConnectionManager,
}

/// A Redis failure (unreachable, timed out, or an error reply).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RedisError(String);

impl From<redis::RedisError> for RedisError {
    fn from(e: redis::RedisError) -> Self {
        Self(e.to_string())
    }
}

const TIMEOUT: Duration = Duration::from_millis(1_500);

impl Redis {
    /// Connects to `url` (`redis://host:port/db`).
    ///
    /// # Errors
    /// When the URL is invalid or the server cannot be reached.
    pub async fn connect(url: &str) -> Result<Self, RedisError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1);
        let connection = client.get_connection_manager_with_config(config).await?;
        Ok(Self { connection })
    }

    /// `SET key value NX EX ttl`: whether the key was set (it did not exist).
    ///
    /// # Errors
    /// When Redis cannot answer.
    pub async fn set_nx_ex(&self, key: &str, value: &[u8], ttl: u64) -> Result<bool, RedisError> {
        let mut c = self.connection.clone();
        let reply: Option<String> = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("NX")
            .arg("EX")
            .arg(ttl.max(1))
            .query_async(&mut c)
            .await?;
        Ok(reply.is_some())
    }

    /// `SET key value EX ttl`.
    ///
    /// # Errors
    /// When Redis cannot answer.
    pub async fn set_ex(&self, key: &str, value: &[u8], ttl: u64) -> Result<(), RedisError> {
        let mut c = self.connection.clone();
        let () = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("EX")
            .arg(ttl.max(1))
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    /// `GET key`.
    ///
    /// # Errors
    /// When Redis cannot answer.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, RedisError> {
        let mut c = self.connection.clone();
        Ok(redis::cmd("GET").arg(key).query_async(&mut c).await?)
    }

    /// `PING`.
    ///
    /// # Errors
    /// When Redis cannot answer.
    pub async fn ping(&self) -> Result<(), RedisError> {
        let mut c = self.connection.clone();
        let _: String = redis::cmd("PING").query_async(&mut c).await?;
        Ok(())
    }
}

impl Redis {
    /// `INCR key`.
    ///
    /// # Errors
    /// When Redis cannot answer.
    pub async fn incr(&self, key: &str) -> Result<i64, RedisError> {
        let mut c = self.connection.clone();
        Ok(redis::cmd("INCR").arg(key).query_async(&mut c).await?)
    }

    /// `HSET key field value`.
    ///
    /// # Errors
    /// When Redis cannot answer.
    pub async fn hset(&self, key: &str, field: &str, value: &[u8]) -> Result<(), RedisError> {
        let mut c = self.connection.clone();
        let _: i64 = redis::cmd("HSET")
            .arg(key)
            .arg(field)
            .arg(value)
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    /// `HGETALL key`.
    ///
    /// # Errors
    /// When Redis cannot answer.
    pub async fn hgetall(&self, key: &str) -> Result<Vec<(String, Vec<u8>)>, RedisError> {
        let mut c = self.connection.clone();
        Ok(redis::cmd("HGETALL").arg(key).query_async(&mut c).await?)
    }
}

impl Redis {
    /// `SET key value` (no expiry).
    ///
    /// # Errors
    /// When Redis cannot answer.
    pub async fn set(&self, key: &str, value: &[u8]) -> Result<(), RedisError> {
        let mut c = self.connection.clone();
        let () = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .query_async(&mut c)
            .await?;
        Ok(())
    }
}
