//! The AMD VCEK/VLEK extensions under `1.3.6.1.4.1.3704.1` (AMD 57230; shapes copied from
//! real KDS certificates, see `shared/notes/snp.md` §2.3).

use verifier::snp::{Product, TcbParts};

use super::Signer;
use crate::pki::asn1::{ia5_string, integer};
use crate::pki::{CertSpec, Ext};

/// The arc of every AMD certificate extension.
pub const AMD_OID_PREFIX: &str = "1.3.6.1.4.1.3704.1";

/// The full dotted OID of an AMD extension from its suffix (`"3.8"` → ucodeSPL).
pub fn amd_oid(suffix: &str) -> String {
    format!("{AMD_OID_PREFIX}.{suffix}")
}

/// structVersion (INTEGER).
pub const STRUCT_VERSION: &str = "1";
/// productName (IA5String).
pub const PRODUCT_NAME: &str = "2";
/// blSPL (INTEGER).
pub const BL_SPL: &str = "3.1";
/// teeSPL (INTEGER).
pub const TEE_SPL: &str = "3.2";
/// snpSPL (INTEGER).
pub const SNP_SPL: &str = "3.3";
/// spl_4 (INTEGER 0; absent on Turin).
pub const SPL_4: &str = "3.4";
/// spl_5 (INTEGER 0).
pub const SPL_5: &str = "3.5";
/// spl_6 (INTEGER 0).
pub const SPL_6: &str = "3.6";
/// spl_7 (INTEGER 0).
pub const SPL_7: &str = "3.7";
/// ucodeSPL (INTEGER).
pub const UCODE_SPL: &str = "3.8";
/// fmcSPL (INTEGER; Turin only).
pub const FMC_SPL: &str = "3.9";
/// hwID (raw bytes, VCEK only).
pub const HW_ID: &str = "4";
/// cspID (IA5String, VLEK only).
pub const CSP_ID: &str = "5";

/// The productName AMD writes: `Milan-B0` on Milan VCEKs, the bare line name otherwise.
pub fn product_name(product: Product, signer: Signer) -> &'static str {
    match (product, signer) {
        (Product::Milan, Signer::Vcek) => "Milan-B0",
        (p, _) => p.name(),
    }
}

impl CertSpec {
    /// The AMD extension with this suffix.
    pub fn amd_ext(&self, suffix: &str) -> Option<&Ext> {
        self.ext(&amd_oid(suffix))
    }

    /// Sets an AMD extension to a DER INTEGER (in place, or appended).
    pub fn set_amd_int(&mut self, suffix: &str, value: u64) {
        self.set_ext(&amd_oid(suffix), false, integer(value));
    }

    /// Sets an AMD extension to a DER IA5String.
    pub fn set_amd_ia5(&mut self, suffix: &str, value: &str) {
        self.set_ext(&amd_oid(suffix), false, ia5_string(value));
    }

    /// Sets an AMD extension to raw extnValue content.
    pub fn set_amd_raw(&mut self, suffix: &str, value: Vec<u8>) {
        self.set_ext(&amd_oid(suffix), false, value);
    }

    /// Removes an AMD extension; returns whether it was there.
    pub fn remove_amd(&mut self, suffix: &str) -> bool {
        self.remove_ext(&amd_oid(suffix))
    }

    /// Sets hwID to `hwid`, raw (no OCTET STRING tag inside extnValue), as AMD does.
    pub fn set_hwid(&mut self, hwid: &[u8]) {
        self.set_amd_raw(HW_ID, hwid.to_vec());
    }

    /// Sets cspID.
    pub fn set_csp_id(&mut self, csp_id: &str) {
        self.set_amd_ia5(CSP_ID, csp_id);
    }

    /// Sets the SPL extensions to `tcb`: bl, tee, snp and ucode, plus fmc on Turin
    /// (`fmc: None` is written as 0 there).
    pub fn set_amd_tcb(&mut self, product: Product, tcb: TcbParts) {
        self.set_amd_int(BL_SPL, tcb.bootloader.into());
        self.set_amd_int(TEE_SPL, tcb.tee.into());
        self.set_amd_int(SNP_SPL, tcb.snp.into());
        self.set_amd_int(UCODE_SPL, tcb.microcode.into());
        if product.has_fmc() {
            self.set_amd_int(FMC_SPL, tcb.fmc.unwrap_or(0).into());
        }
    }
}

/// The AMD extensions of a default VCEK (`id` = hwID) or VLEK (`id` = cspID), in the
/// order KDS writes them: Milan/Genoa `.1 .2 .3.1 .3.2 .3.4 .3.5 .3.6 .3.7 .3.3 .3.8
/// .4|.5`; Turin `.1 .2 .3.9 .3.1 .3.2 .3.3 .3.5 .3.6 .3.7 .3.8 .4|.5`.
pub(super) fn vek_extensions(
    product: Product,
    signer: Signer,
    tcb: TcbParts,
    id: &[u8],
) -> Vec<Ext> {
    let int = |suffix: &str, v: u8| Ext::new(&amd_oid(suffix), false, integer(v.into()));
    let mut exts = vec![
        int(STRUCT_VERSION, u8::from(product.has_fmc())),
        Ext::new(
            &amd_oid(PRODUCT_NAME),
            false,
            ia5_string(product_name(product, signer)),
        ),
    ];
    if product.has_fmc() {
        exts.extend([
            int(FMC_SPL, tcb.fmc.unwrap_or(0)),
            int(BL_SPL, tcb.bootloader),
            int(TEE_SPL, tcb.tee),
            int(SNP_SPL, tcb.snp),
            int(SPL_5, 0),
            int(SPL_6, 0),
            int(SPL_7, 0),
            int(UCODE_SPL, tcb.microcode),
        ]);
    } else {
        exts.extend([
            int(BL_SPL, tcb.bootloader),
            int(TEE_SPL, tcb.tee),
            int(SPL_4, 0),
            int(SPL_5, 0),
            int(SPL_6, 0),
            int(SPL_7, 0),
            int(SNP_SPL, tcb.snp),
            int(UCODE_SPL, tcb.microcode),
        ]);
    }
    exts.push(match signer {
        Signer::Vcek => Ext::new(&amd_oid(HW_ID), false, id.to_vec()),
        Signer::Vlek => Ext::new(&amd_oid(CSP_ID), false, id.to_vec()),
    });
    exts
}
