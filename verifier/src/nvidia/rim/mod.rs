//! Reference integrity manifests: NVIDIA's signed SWID tags (XML, enveloped XMLDSig).
