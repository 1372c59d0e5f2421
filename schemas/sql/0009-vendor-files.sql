-- dcity schema 9: how a vendor's files are read.  CSV and TSV catalogs from a vendor whose
-- export is not UTF-8, or whose header names are its own, are read by these settings when the
-- command line does not say otherwise (dc-order vendor set --encoding, --columns).

-- the encoding of the vendor's CSV and TSV files; NULL: --encoding, else auto
ALTER TABLE vendor ADD COLUMN encoding TEXT
	CHECK (encoding IN ('auto', 'utf-8', 'windows-1252', 'iso-8859-1', 'iso-8859-15'));
-- the vendor's own header names, "HEADER=field,..." ("Art.Nr.=sku,VK=price"); NULL: none
ALTER TABLE vendor ADD COLUMN columns TEXT;
