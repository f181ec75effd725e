//! FTP control connections (TCP port 21): commands from the client, replies from the server.
//! tshark reads each segment's lines on their own (no reassembly across segments).

use super::lines::{command, lines, reply};
use crate::fields::{Field, FrameValues};

/// FTP's control port.
pub(crate) const PORT: u16 = 21;

/// The lines of one segment; `from_server`: sent by port 21.
pub(crate) fn on_data(out: &mut FrameValues, data: &[u8], from_server: bool) {
    for line in lines(data) {
        if from_server {
            if let Some((code, _, text)) = reply(line) {
                out.uint(Field::FtpResponseCode, code);
                out.text_ascii(Field::FtpResponseArg, text);
            }
        } else {
            let (cmd, arg) = command(line);
            out.text_ascii(Field::FtpRequestCommand, cmd);
            if let Some(arg) = arg {
                out.text_ascii(Field::FtpRequestArg, arg);
            }
        }
    }
}
