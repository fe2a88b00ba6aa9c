"""Write the roster corpus: synthetic rosters shaped like the ones communities keep.

    .venv/bin/python scripts/make_roster_corpus.py

One file per case into tests/fixtures/rosters/ (tests/web/test_roster_corpus.py imports each
and asserts what the import does; docs/roster-import.md has the table). The people are made
up; every ID number is generated here, with a correct check character unless the case is about
a wrong one. The grids are those of the test scenario (昆吾社区第1网格, 昆吾社区第2网格).
The files are the same bytes each run.
"""
from __future__ import annotations

import csv
import io
import sys
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.roster.idnumber import check_character  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "rosters"
REGION = "410902"
FIXED = datetime(2026, 1, 1)


def id_number(birth: str, sequence: str, region: str = REGION) -> str:
    """A synthetic ID number: region, birth date (YYYYMMDD), 3-digit sequence (odd: male)."""
    first17 = region + birth + sequence
    return first17 + check_character(first17)


def wrong_check(number: str) -> str:
    right = number[17]
    return number[:17] + next(c for c in "0123456789X" if c != right)


def id_ending_in_x(birth: str) -> str:
    for sequence in range(100, 1000, 2):
        number = id_number(birth, f"{sequence:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


def write_csv(name: str, rows: list[list], encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    (OUT / name).write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(name: str, rows: list[list], merges: tuple[str, ...] = (),
               text_columns: tuple[int, ...] = ()) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.properties.created = book.properties.modified = FIXED
    sheet = book.active
    sheet.title = "名册"
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    for column in text_columns:
        for row in sheet.iter_rows(min_col=column, max_col=column):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    (OUT / name).write_bytes(_fixed_zip(buffer.getvalue()))


def _fixed_zip(content: bytes) -> bytes:
    """The same workbook with every zip entry dated the same, so the bytes never change."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, data)
    return out.getvalue()


def write_xls(name: str, rows: list[list], date_format_rows: bool = True) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名册")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, (date, datetime)):
                sheet.write(r, c, datetime(value.year, value.month, value.day), dated)
            else:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    (OUT / name).write_bytes(buffer.getvalue())


HAND_TYPED = ["序号", "姓名", "性别", "出生日期", "住址", "联系电话", "联系人电话", "居住情况",
              "网格", "备注"]


def cases() -> None:
    # 1. A title merged across the sheet, a line of who filled it in, the header, a total and
    #    the signature at the end.
    write_xlsx("01_title_and_footer.xlsx", [
        ["昆吾社区60周岁以上老年人花名册"],
        ["填报单位：昆吾社区居委会", None, None, None, "填报日期：2026年1月"],
        ["序号", "姓名", "性别", "出生年月", "家庭住址", "联系电话", "类别", "所属网格"],
        [1, "韩桂珍", "女", "1939.04", "昆吾路16号院1号楼2单元301", "13903930101", "独居",
         "第一网格"],
        [2, "邵长海", "男", "1941.10", "昆吾路16号院3号楼1单元102", "0393-8812345", "空巢",
         "第一网格"],
        [3, "鲁玉芝", "女", "1936.12", "昆吾路18号2单元501", "13603930102", "高龄",
         "第二网格"],
        [None, None, None, None, None, None, None, None],
        ["合计", None, None, None, "共3人"],
        ["制表人：苗红", None, None, None, "审核人：邢建军"],
    ], merges=("A1:H1", "A2:D2", "E2:H2"))

    # 2. A two-line header: 联系方式 over 本人电话 | 子女电话; 姓名 etc. merged down.
    write_xlsx("02_two_line_header.xlsx", [
        ["序号", "姓名", "性别", "出生日期", "联系方式", None, "住址", "居住情况", "网格"],
        [None, None, None, None, "本人电话", "子女电话", None, None, None],
        [1, "费秀云", "女", "1943-02-11", "13703930201", "13803930202",
         "建设路51号院2号楼4单元202", "独居", "1网格"],
        [2, "穆德顺", "男", "1938-07-30", "", "15903930203", "建设路51号院1号楼1单元101",
         "空巢老人", "1网格"],
    ], merges=("A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1", "G1:G2", "H1:H2", "I1:I2"))

    # 3. The roster of the issue: typed by hand, saved as GBK, 序号 column, full birth dates,
    #    第一网格, 空巢老人, blank numbered rows at the end.
    write_csv("03_hand_typed_gbk.csv", [
        HAND_TYPED,
        ["1", "卜凤兰", "女", "1940-03-15", "昆吾路22号院1号楼3单元402", "13903930301",
         "13903930302", "空巢老人", "第一网格", "腿脚不便"],
        ["2", "臧  明", "男", "1937-11-08", "昆吾路22号院2号楼1单元101", "0393-6623456", "",
         "独居老人", "第一网格", ""],
        ["3", "冉淑芳", "女", "1946年5月20日", "昆吾路24号3单元201", "", "15803930303",
         "独居、高龄", "第二网格", "女儿每周来"],
        ["4", "", "", "", "", "", "", "", "", ""],
        ["5", "", "", "", "", "", "", "", "", ""],
    ], encoding="gbk")

    # 4. Every date form people type, Excel date cells and serial numbers; two impossible dates.
    write_xlsx("04_date_forms.xlsx", [
        ["姓名", "性别", "出生日期", "住址", "网格"],
        ["甘玉兰", "女", "1938.11.02", "昆吾路30号1单元101", "第一网格"],
        ["甘玉梅", "女", "1938/11/2", "昆吾路30号1单元102", "第一网格"],
        ["甘玉竹", "女", "1938-11-02", "昆吾路30号1单元201", "第一网格"],
        ["甘玉菊", "女", "1946年5月20日", "昆吾路30号1单元202", "第一网格"],
        ["甘玉荷", "女", "194605", "昆吾路30号1单元301", "第一网格"],
        ["甘玉芬", "女", datetime(1942, 8, 9), "昆吾路30号1单元302", "第一网格"],
        ["甘玉芳", "女", 15562, "昆吾路30号1单元401", "第一网格"],  # serial: 1942-08-09
        ["甘玉莲", "女", "1946.13.02", "昆吾路30号1单元402", "第一网格"],  # month 13
        ["甘玉桃", "女", "1946-02-30", "昆吾路30号1单元501", "第一网格"],  # 30 February
    ])

    # 5. Full-width digits and letters, ideographic and stray spaces (UTF-8 with BOM).
    write_csv("05_full_width.csv", [
        ["　姓名　", "性别", "出生年份", "住址", "联系电话", "网格"],
        ["　庞　桂　英　", "女 ", "１９４１", "昆吾路３２号院１号楼２单元３０１",
         "１３９ ０３９３ ０５０１", "第１网格"],
        ["　蒲振华", "　男", " 1939 ", " 昆吾路32号院2号楼1单元101 ", "（０３９３）６６２３４５６",
         "第一网格"],
    ], encoding="utf-8-sig")

    # 6. Landlines with and without area codes, mobiles; one too short, one a wrong prefix.
    write_csv("06_phones.csv", [
        ["姓名", "性别", "出生日期", "住址", "联系电话", "紧急联系人(及电话)", "网格"],
        ["房翠英", "女", "1940-01-01", "昆吾路40号101", "0393-8812345", "房建国 13903930601",
         "第一网格"],
        ["柯玉华", "女", "1940-01-02", "昆吾路40号102", "(0393)88123456", "女儿柯丽/13703930602",
         "第一网格"],
        ["雷秀梅", "女", "1940-01-03", "昆吾路40号201", "8812345", "", "第一网格"],
        ["鲍德明", "男", "1940-01-04", "昆吾路40号202", "138 0393 0603", "", "第一网格"],
        ["史桂兰", "女", "1940-01-05", "昆吾路40号301", "1390393060", "", "第一网格"],  # 10 digits
        ["唐振国", "男", "1940-01-06", "昆吾路40号302", "12903930606", "", "第一网格"],  # prefix
    ])

    # 7. ID numbers: right (one ending in X), a wrong check digit, one disagreeing with the
    #    columns, one Excel stored as a number, one shown as 4.1E+17, one ending in 000.
    x_number = id_ending_in_x("19450312")
    numeric = int(id_number("19470818", "241")[:15] + "000")
    write_xlsx("07_id_numbers.xlsx", [
        ["序号", "姓名", "性别", "出生日期", "身份证号码", "住址", "网格"],
        [1, "危秀珍", "女", "1945-03-12", x_number, "昆吾路50号101", "第一网格"],
        [2, "尤德胜", "男", "1938-06-21", id_number("19380621", "133"), "昆吾路50号102",
         "第一网格"],
        [3, "戚桂芝", "女", "1944-09-09", wrong_check(id_number("19440909", "226")),
         "昆吾路50号201", "第一网格"],
        [4, "伍玉琴", "男", "1941-01-01", id_number("19410202", "242"), "昆吾路50号202",
         "第一网格"],  # the ID says a woman born 1941-02-02: a warning, still imported
        [5, "屠秀英", "女", "1947-08-18", numeric, "昆吾路50号301", "第一网格"],
        [6, "阮国庆", "男", "1949-10-01", "4.10902E+17", "昆吾路50号302", "第一网格"],
        [7, "聂淑华", "女", "1942-12-12", id_number("19421212", "248")[:15] + "000",
         "昆吾路50号401", "第一网格"],
        [8, "骆玉兰", "女", "", id_number("19391111", "262"), "昆吾路50号402", "第一网格"],
    ], text_columns=(5,))

    # 8. Living situations in the community's words: some Knockdoor knows, some it does not.
    write_csv("08_living_words.csv", [
        ["姓名", "性别", "出生年份", "住址", "居住情况", "网格"],
        ["霍秀兰", "女", "1940", "昆吾路60号101", "独居", "第一网格"],
        ["霍长生", "男", "1941", "昆吾路60号102", "空巢老人", "第一网格"],
        ["霍玉珍", "女", "1935", "昆吾路60号201", "高龄、半失能", "第一网格"],
        ["霍德才", "男", "1942", "昆吾路60号202", "孤寡", "第一网格"],
        ["霍淑贞", "女", "1943", "昆吾路60号301", "失独", "第一网格"],
        ["霍桂英", "女", "1944", "昆吾路60号302", "低保、独居", "第一网格"],
        ["霍振江", "男", "1945", "昆吾路60号401", "残疾", "第一网格"],
    ])

    # 9. Grid names the way communities write them; two that are not the supervisor's.
    write_csv("09_grid_names.csv", [
        ["姓名", "性别", "出生年份", "住址", "所属网格"],
        ["景秀云", "女", "1940", "昆吾路70号101", "第一网格"],
        ["景德福", "男", "1941", "昆吾路70号102", "1网格"],
        ["景玉梅", "女", "1942", "昆吾路70号201", "昆吾社区第2网格"],
        ["景桂香", "女", "1943", "昆吾路70号202", "网格2"],
        ["景凤英", "女", "1944", "昆吾路70号301", "第二网格"],
        ["景长春", "男", "1945", "昆吾路70号302", "濮上社区第1网格"],  # another community
        ["景淑琴", "女", "1946", "昆吾路70号401", "第9网格"],  # no such grid
    ])

    # 10. Duplicates: within the file (same ID number; same name, birth year and address) and a
    #     resident the scenario already has (张利霞, 1941, 长庆路12号院3号楼2单元401) with a new
    #     phone number.
    twice = id_number("19400505", "224")
    write_csv("10_duplicates.csv", [
        ["姓名", "性别", "出生日期", "身份证号", "住址", "联系电话", "网格"],
        ["钟玉霞", "女", "1940-05-05", twice, "昆吾路80号101", "13903931001", "第一网格"],
        ["钟玉霞", "女", "1940-05-05", twice, "昆吾路80号1-1", "13903931001", "第一网格"],
        ["宁秀芝", "女", "1941-06-06", "", "昆吾路80号102", "", "第一网格"],
        ["宁秀芝", "女", "1941-06-06", "", "昆吾路80号 102", "", "第一网格"],
        ["张利霞", "女", "1941", "", "长庆路12号院3号楼2单元401", "13903931002", "第一网格"],
    ])

    # 11. Old Excel (.xls): a title row, date cells, a total row.
    write_xls("11_old_excel.xls", [
        ["昆吾社区独居老人名册", "", "", "", "", ""],
        ["序号", "姓名", "性别", "出生日期", "地址", "网格"],
        [1, "郝秀兰", "女", date(1939, 3, 3), "昆吾路90号101", "第一网格"],
        [2, "郝德顺", "男", date(1940, 4, 4), "昆吾路90号102", "第二网格"],
        ["合计", "", "", "", "2人", ""],
    ])

    # 12. CSV in GB18030 with a character GBK does not have (䶮).
    write_csv("12_gb18030.csv", [
        ["姓名", "性别", "出生年份", "地址", "网格"],
        ["刘䶮", "男", "1938", "昆吾路100号101", "第一网格"],
        ["刘秀珍", "女", "1940", "昆吾路100号102", "第一网格"],
    ], encoding="gb18030")

    # 13. No header the reader knows: nothing but data.
    write_csv("13_no_header.csv", [
        ["钱桂英", "女", "1940", "昆吾路110号101"],
        ["钱德福", "男", "1941", "昆吾路110号102"],
    ])

    # 14. A column the import needs is missing (性别, and no ID number to read it from).
    write_csv("14_missing_column.csv", [
        ["姓名", "出生日期", "住址", "网格"],
        ["孔秀兰", "1940-01-01", "昆吾路120号101", "第一网格"],
    ])

    # 15. A column the reader cannot name (家属电话): imported once the supervisor maps it.
    write_xlsx("15_unknown_column.xlsx", [
        ["兴趣小组登记表（昆吾社区）"],
        ["姓名", "性别", "出生日期", "住址", "家属电话", "网格"],
        ["池玉兰", "女", "1940-02-02", "昆吾路130号101", "13903931501", "第一网格"],
    ], merges=("A1:F1",))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    cases()
    for path in sorted(OUT.iterdir()):
        print(path.name, path.stat().st_size)


if __name__ == "__main__":
    main()
