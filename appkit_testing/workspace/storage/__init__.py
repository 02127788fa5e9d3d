"""DBFS and the Files API: file trees for the DBFS root and for Unity Catalog volumes."""
