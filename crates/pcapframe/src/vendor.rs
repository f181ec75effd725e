//! NIC vendors from MAC addresses, offline, from the IEEE registries (MA-L, MA-M, MA-S, CID,
//! IAB) as packaged by the `oui-data` crate. Enabled by the `vendors` feature.

/// The organization the IEEE registered a MAC address's prefix to, if any.
///
/// Accepts `00:1d:d9:2e:4f:61`, `00-1D-D9-2E-4F-61` or `001dd92e4f61`.
pub fn mac_vendor(mac: &str) -> Option<&'static str> {
    oui_data::lookup(mac).map(|record| record.organization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_prefixes_and_unknown_ones() {
        assert_eq!(mac_vendor("00:1d:d9:2e:4f:61"), Some("Hon Hai Precision Ind. Co.,Ltd."));
        assert_eq!(mac_vendor("00-1A-70-2A-9B-01"), Some("Cisco-Linksys, LLC"));
        assert_eq!(mac_vendor("02:00:00:00:00:01"), None, "locally administered");
        assert_eq!(mac_vendor("nonsense"), None);
    }
}
