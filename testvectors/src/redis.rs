//! A real `redis-server` for the tests that share nonces, policies and collateral
//! through Redis (`.ci/run` installs it from the distribution's packages).

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` on a free loopback port, without persistence, stopped on drop. The
/// binary is `$VERDICT_REDIS_SERVER`, else `redis-server` on the `PATH`.
#[derive(Debug)]
pub struct RedisServer {
    /// `redis://127.0.0.1:<port>/0`.
    pub url: String,
    /// The port it listens on.
    pub port: u16,
    child: Child,
}

impl RedisServer {
    /// Starts one and waits (at most 10 s) until it accepts connections.
    ///
    /// # Panics
    /// When it cannot be started or does not listen in time: a test needing it fails.
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let binary =
            std::env::var_os("VERDICT_REDIS_SERVER").unwrap_or_else(|| "redis-server".into());
        let child = Command::new(binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            // Nothing is written with persistence off; the temporary directory keeps
            // even a crash dump out of the test's working directory.
            .arg("--dir")
            .arg(std::env::temp_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (.ci/run installs it: apt-get install redis-server)");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            url: format!("redis://127.0.0.1:{port}/0"),
            port,
            child,
        }
    }

    /// Stops it now (a test of what happens when Redis goes away).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
