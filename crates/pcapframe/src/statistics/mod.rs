//! Wireshark's Statistics menu as DataFrames, each checked against tshark 4.0's `-z` output:
//! [`conversations`] and [`endpoints`] (`-z conv,TYPE`, `-z endpoints,TYPE`).

mod conversations;

pub use conversations::{conversations, endpoints, ConversationType};
