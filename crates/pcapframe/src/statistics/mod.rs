//! Wireshark's Statistics menu as DataFrames, each checked against tshark 4.0's `-z` output:
//! [`conversations`] and [`endpoints`] (`-z conv,TYPE`, `-z endpoints,TYPE`), [`io_stat`]
//! (`-z io,stat,INTERVAL,FILTER or COUNT/SUM/MIN/MAX/AVG(field)FILTER...`), [`protocol_hierarchy`] (`-z io,phs`), [`http_tree`]
//! (`-z http,tree`) and [`dns_tree`] (`-z dns,tree`).

mod conversations;
mod io;
mod io_spec;
mod phs;
mod stats_tree;
mod trees;

pub use conversations::{conversations, endpoints, ConversationType};
pub use io::io_stat;
pub use phs::protocol_hierarchy;
pub use trees::{dns_tree, http_tree};
