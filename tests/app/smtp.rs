//! A real SMTP server on loopback for the email tests: mailin-embedded, in
//! this process, keeping what it receives. It can refuse every message with
//! a reply of the test's choosing.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::{Handler, Response, Server};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// A header's value (the first of that name), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

impl Mail {
    /// The subject, the plain-text part and the HTML part, decoded.
    pub fn parts(&self) -> (String, String, String) {
        let parsed = mail_parser::MessageParser::default()
            .parse(self.data.as_bytes())
            .expect("a parsable message");
        let part =
            |p: Option<std::borrow::Cow<'_, str>>| p.map(|p| p.into_owned()).unwrap_or_default();
        (
            parsed.subject().unwrap_or_default().to_owned(),
            part(parsed.body_text(0)),
            part(parsed.body_html(0)),
        )
    }
}

#[derive(Default)]
struct State {
    received: Vec<Mail>,
    refuse: Option<(u16, String)>,
}

#[derive(Clone)]
struct Keeper {
    state: Arc<Mutex<State>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Keeper {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin_embedded::response::START_DATA
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mut state = self.state.lock().unwrap();
        if let Some((code, message)) = state.refuse.clone() {
            return Response::custom(code, message);
        }
        state.received.push(Mail {
            to: std::mem::take(&mut self.to),
            data: String::from_utf8_lossy(&self.data).into_owned(),
        });
        mailin_embedded::response::OK
    }
}

pub struct SmtpServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl SmtpServer {
    /// Starts on a free port.
    pub fn start() -> Self {
        Self::on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    /// Starts on `port` (one an app was told about while nothing listened).
    pub fn start_on(port: u16) -> Self {
        Self::on(TcpListener::bind(("127.0.0.1", port)).unwrap())
    }

    fn on(listener: TcpListener) -> Self {
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let keeper = Keeper {
            state: state.clone(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(keeper);
        server
            .with_name("smtp.test")
            .with_num_threads(32)
            .with_tcp_listener(listener);
        // It serves until the test process ends.
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, state }
    }

    /// A port nothing listens on (yet).
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message from now on is refused with this reply.
    pub fn refuse_with(&self, code: u16, message: &str) {
        self.state.lock().unwrap().refuse = Some((code, message.to_owned()));
    }

    pub fn received(&self) -> Vec<Mail> {
        self.state.lock().unwrap().received.clone()
    }

    /// Waits (at most 20 s) until `n` messages have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let received = self.received();
            if received.len() >= n || Instant::now() > deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
