//! A TCP proxy on loopback between the app and PostgreSQL that a test can
//! cut and restore, or freeze and thaw, to see what the app does while its
//! database is gone or silent.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct TcpProxy {
    port: u16,
    up: Arc<AtomicBool>,
    cut_tx: watch::Sender<u64>,
    frozen_tx: watch::Sender<bool>,
}

/// Copies `from` to `to`, holding every byte while the proxy is frozen: the
/// connections stay open and nothing moves, as behind a hung proxy.
async fn pump(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    mut frozen: watch::Receiver<bool>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        if frozen.wait_for(|f| !*f).await.is_err() {
            return;
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}

impl TcpProxy {
    /// Listens on a free loopback port and forwards to the host and port of
    /// the PostgreSQL `url`.
    pub async fn start(url: &str) -> Self {
        let authority = url.split("://").nth(1).unwrap().split('/').next().unwrap();
        let target = authority.rsplit('@').next().unwrap().to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let (cut_tx, cut_rx) = watch::channel(0u64);
        let (frozen_tx, frozen_rx) = watch::channel(false);
        let accepting = up.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !accepting.load(Ordering::SeqCst) {
                    drop(inbound); // refused, as a stopped server would
                    continue;
                }
                let target = target.clone();
                let frozen = frozen_rx.clone();
                let mut cut = cut_rx.clone();
                // Only cuts from now on concern this connection.
                cut.borrow_and_update();
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let (from_app, to_app) = inbound.split();
                    let (from_db, to_db) = tokio::io::split(outbound);
                    tokio::select! {
                        _ = pump(from_app, to_db, frozen.clone()) => {}
                        _ = pump(from_db, to_app, frozen) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self {
            port,
            up,
            cut_tx,
            frozen_tx,
        }
    }

    /// The same database URL, but through the proxy.
    pub fn url_for(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").unwrap();
        let (authority, path) = rest.split_once('/').unwrap();
        let user = authority
            .rsplit_once('@')
            .map(|(u, _)| format!("{u}@"))
            .unwrap_or_default();
        format!("{scheme}://{user}127.0.0.1:{}/{path}", self.port)
    }

    /// Drops every open connection and refuses new ones.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut_tx.send_modify(|n| *n += 1);
    }

    /// Stops forwarding without closing anything: connections, old and
    /// new, stay open and silent.
    pub fn freeze(&self) {
        self.frozen_tx.send_replace(true);
    }

    pub fn thaw(&self) {
        self.frozen_tx.send_replace(false);
    }

    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}
