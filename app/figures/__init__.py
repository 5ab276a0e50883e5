"""The figures of the campaign: daily reports and their AC roll-ups, the rules they keep, and the
queries every page and export reads them with.

reports, imports, progress, exports and maps import it; it imports none of them.
"""
