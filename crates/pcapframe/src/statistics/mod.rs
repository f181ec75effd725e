//! Wireshark's Statistics menu as DataFrames, each checked against tshark 4.0's `-z` output:
//! [`conversations`] and [`endpoints`] (`-z conv,TYPE`, `-z endpoints,TYPE`), [`io_stat`]
//! (`-z io,stat,INTERVAL,FILTER or COUNT/SUM/MIN/MAX/AVG(field)FILTER...`),
//! [`protocol_hierarchy`] (`-z io,phs`), [`http_tree`] (`-z http,tree`) and [`dns_tree`]
//! (`-z dns,tree`). [`conversations_of`], [`endpoints_of`] and [`io_stat_of`] compute the first
//! three from a DataFrame, for instance one filtered after reading.

mod conversations;
mod io;
mod io_spec;
mod of_frame;
mod phs;
mod stats_tree;
mod trees;

pub use conversations::{conversations, endpoints, ConversationType};
pub use io::io_stat;
pub use of_frame::{conversations_of, endpoints_of, io_stat_of};
pub use phs::protocol_hierarchy;
pub use trees::{dns_tree, http_tree};
