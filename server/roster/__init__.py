"""Reading the rosters communities really keep.

A community's roster is a spreadsheet typed by hand over years: a title row, sometimes a
two-line header, Chinese column names in many variants, dates and phone numbers in every form,
ID numbers that Excel may have mangled, footer rows. The pieces here turn such a sheet into
rows of Knockdoor's resident fields, each problem named by the sheet's own row number and column
name:

- :mod:`.text`: full-width characters and stray spaces
- :mod:`.problems`: a problem found in a cell, as an English message id to translate
- :mod:`.dates`, :mod:`.phones`, :mod:`.idnumber`: value parsers
- :mod:`.columns`: finding the header row and mapping column names to fields
- :mod:`.words`: the community's words for sex, living situation … (one table each)
- :mod:`.grids`: grid names as communities write them
- :mod:`.sheet`: reading CSV (UTF-8, GBK/GB18030), .xlsx and .xls into cells
- :mod:`.rows`: one row's cells to resident fields
- :mod:`.plan`: the whole file against the database: what an import would change

Everything but :mod:`.sheet` and :mod:`.plan` is pure (no I/O, no database).
"""
