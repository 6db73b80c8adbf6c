//! A TCP proxy between Payrail and its Postgres server that a test can cut and restore: a
//! database outage without stopping the shared test server.
//!
//! Cut, it closes every live connection and closes each new one as soon as it is accepted (what
//! a client sees of a server that went away mid-session and of one that is restarting); restored,
//! it passes bytes both ways again.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct TcpProxy {
    pub address: SocketAddr,
    up: Arc<AtomicBool>,
    /// Bumped on every cut: each live pipe watches it and hangs up.
    cuts: watch::Sender<u64>,
}

impl TcpProxy {
    /// Listens on a loopback port and forwards every connection to `target` (`host:port`).
    pub async fn start(target: String) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let (cuts, _) = watch::channel(0);
        let proxy = TcpProxy {
            address,
            up: up.clone(),
            cuts: cuts.clone(),
        };
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                if !up.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                tokio::spawn(pipe(inbound, target.clone(), cuts.subscribe()));
            }
        });
        proxy
    }

    /// The database is gone: live connections close, new ones are closed on arrival.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cuts.send_modify(|n| *n += 1);
    }

    /// The database is back.
    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

async fn pipe(mut inbound: TcpStream, target: String, mut cut: watch::Receiver<u64>) {
    let Ok(mut outbound) = TcpStream::connect(&target).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
        _ = cut.changed() => {}
    }
    // Dropping both ends closes them.
}
