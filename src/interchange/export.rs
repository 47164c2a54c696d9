//! Writing a timeline out: OTIO, CMX3600 and FCPXML.
