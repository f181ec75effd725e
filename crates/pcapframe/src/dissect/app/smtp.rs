//! SMTP sessions (TCP ports 25 and 587): the client's commands and the server's replies, one
//! code per reply and one parameter per reply line. The message after `DATA`, and the
//! credentials exchanged after `AUTH`, are not commands.

use super::lines::{command, lines, reply};
use crate::fields::{Field, FrameValues, Layer};

/// SMTP's ports.
pub(crate) const PORTS: [u16; 2] = [25, 587];

/// SMTP state of one connection.
#[derive(Debug, Default)]
pub(crate) struct SmtpConn {
    /// The client sent DATA: its lines are the message, up to a line with a single dot.
    in_message: bool,
    /// The client sent AUTH: its lines are credentials while the server answers 334.
    in_auth: bool,
}

/// One segment's data; `from_server`: sent by the SMTP port.
pub(crate) fn on_data(out: &mut FrameValues, conn: &mut SmtpConn, data: &[u8], from_server: bool) {
    // tshark marks every segment SMTP reads, message lines and AUTH exchanges included.
    out.mark(Layer::Smtp);
    if from_server {
        let mut first = true;
        for line in lines(data) {
            let Some((code, _, text)) = reply(line) else { continue };
            if first {
                out.uint(Field::SmtpResponseCode, code);
                first = false;
            }
            out.text_ascii(Field::SmtpRspParameter, text);
            conn.in_auth = conn.in_auth && code == 334;
        }
        return;
    }
    for line in lines(data) {
        if conn.in_message {
            conn.in_message = line != b".";
            continue;
        }
        if conn.in_auth {
            continue;
        }
        let (cmd, arg) = command(line);
        out.text_ascii(Field::SmtpReqCommand, cmd);
        if let Some(arg) = arg {
            out.text_ascii(Field::SmtpReqParameter, arg);
        }
        if cmd.eq_ignore_ascii_case(b"DATA") {
            conn.in_message = true;
        } else if cmd.eq_ignore_ascii_case(b"AUTH") {
            conn.in_auth = true;
        }
    }
}
