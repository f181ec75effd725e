//! Wireshark's Statistics menu as DataFrames, each checked against tshark 4.0's `-z` output:
//! [`conversations`] and [`endpoints`] (`-z conv,TYPE`, `-z endpoints,TYPE`), [`io_stat`]
//! (`-z io,stat,INTERVAL,FILTER...`).

mod conversations;
mod io;

pub use conversations::{conversations, endpoints, ConversationType};
pub use io::io_stat;
