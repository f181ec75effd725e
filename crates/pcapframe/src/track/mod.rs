//! Conversation state that tshark keeps across frames: stream indexes, relative sequence
//! numbers, window scaling, sequence analysis, IP reassembly. All of it is capped ([`TrackLimits`]): the idlest
//! conversations are retired when a table is full, the oldest incomplete datagrams dropped.

mod analysis;
mod conversation;
mod defrag;
mod table;
mod tcp;
mod udp;

pub use analysis::{flag, Analysis, FrameMeta, Sack};
pub use conversation::{ConvKey, Endpoint};
pub use defrag::{Defragmenter, FragmentKey, FragmentLimits, Reassembled};
use table::take_next;
pub use table::{ConversationTable, TrackLimits};
pub use tcp::{TcpSegment, TcpTracker, TcpView};
pub use udp::UdpTracker;
