"""Reading ballot files and the lists beside them: source, header, the two readers, DataFrames."""
