//! Directory imports from CSV, through the library and the command.

use std::io::Write;

use campus_visits::db;
use campus_visits::import::{self, ImportError};

use crate::helpers::TestDb;

const SCHOOLS: &str = "code,name,level\nE1,Alder Elementary,elementary\nM1,Bowie Middle,middle\nH1,Crockett High,high\n";

#[test]
fn schools_import_and_a_second_import_updates() {
    let db = TestDb::fresh();
    let mut conn = db.connect();
    let summary = import::schools(&mut conn, SCHOOLS.as_bytes()).unwrap();
    assert_eq!((summary.created, summary.updated), (3, 0));
    let again = import::schools(
        &mut conn,
        "code,name,level,active\ne1,Alder Elementary School,ES,no\n".as_bytes(),
    )
    .unwrap();
    assert_eq!((again.created, again.updated), (0, 1));
    let alder = db::schools::find_by_code(&mut conn, "E1").unwrap().unwrap();
    assert_eq!(alder.name, "Alder Elementary School");
    assert!(!alder.active);
    assert_eq!(db::schools::count_all(&mut conn).unwrap(), 3);
}

#[test]
fn one_bad_row_among_good_ones_refuses_the_whole_file() {
    let db = TestDb::fresh();
    let mut conn = db.connect();
    let file = "code,name,level\nE1,Alder Elementary,elementary\nE2,,elementary\nE3,Cedar,college\nE1,Twice,high\nE4,Dogwood,elementary\n";
    let Err(ImportError::Rows(problems)) = import::schools(&mut conn, file.as_bytes()) else {
        panic!("the file should be refused");
    };
    let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4, 5]);
    assert!(problems[0].message.contains("name"));
    assert!(problems[1].message.contains("level"));
    assert!(problems[2].message.contains("also on line 2"));
    assert_eq!(
        db::schools::count_all(&mut conn).unwrap(),
        0,
        "nothing was written"
    );
}

#[test]
fn headers_are_checked_before_any_row() {
    let db = TestDb::fresh();
    let mut conn = db.connect();
    let error = import::schools(&mut conn, "code,nmae,level\nE1,A,high\n".as_bytes()).unwrap_err();
    assert!(
        error.to_string().contains("unknown column \"nmae\""),
        "{error}"
    );
    let error = import::schools(&mut conn, "code,name\nE1,A\n".as_bytes()).unwrap_err();
    assert!(
        error.to_string().contains("\"level\" is missing"),
        "{error}"
    );
}

#[test]
fn users_link_to_schools_by_code_and_departments_by_name() {
    let db = TestDb::fresh();
    let mut conn = db.connect();
    import::schools(&mut conn, SCHOOLS.as_bytes()).unwrap();
    let dept =
        campus_visits::domain::department::NewDepartment::parse("Research", "", true).unwrap();
    db::departments::insert(&mut conn, &dept).unwrap();

    let bad = "name,email,school,department\nAna,ana@d.org,E1,\nBo,bo@d.org,ZZ9,\nCy,cy@d.org,,Finance\nDi,not-an-email,,\nEd,ANA@d.org,,\n";
    let Err(ImportError::Rows(problems)) = import::users(&mut conn, bad.as_bytes(), None) else {
        panic!("the file should be refused");
    };
    let described: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.line, p.message))
        .collect();
    assert_eq!(
        problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![3, 4, 5, 6],
        "{described:?}"
    );
    assert!(described[0].contains("no school has the code \"ZZ9\""));
    assert!(described[1].contains("no department is named \"Finance\""));
    assert!(described[3].contains("also on line 2"));
    assert_eq!(db::users::count_all(&mut conn).unwrap(), 0);

    let good = "name,email,school,department\nAna,ana@d.org,e1,\nBo,bo@d.org,,research\n";
    let summary = import::users(&mut conn, good.as_bytes(), None).unwrap();
    assert_eq!(summary.created, 2);
    let ana = db::users::find_by_email(&mut conn, "ana@d.org")
        .unwrap()
        .unwrap();
    assert_eq!(ana.school.unwrap().name, "Alder Elementary");
    let bo = db::users::find_by_email(&mut conn, "BO@d.org")
        .unwrap()
        .unwrap();
    assert_eq!(bo.department.unwrap().name, "Research");
}

fn run_cli(db: &TestDb, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_campus-visits"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .output()
        .expect("run campus-visits")
}

#[test]
fn the_import_command_names_each_bad_line_and_exits_non_zero() {
    let db = TestDb::fresh();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schools.csv");
    let mut file = std::fs::File::create(&path).unwrap();
    write!(
        file,
        "code,name,level\nE1,Alder,elementary\nE2,Bluebonnet,kinder\nE3,Cedar,elementary\n"
    )
    .unwrap();

    let output = run_cli(&db, &["import", "schools", path.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 3: level: Use elementary, middle, high or other."),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    let mut conn = db.connect();
    assert_eq!(
        db::schools::count_all(&mut conn).unwrap(),
        0,
        "the database is unchanged"
    );

    std::fs::write(&path, SCHOOLS).unwrap();
    let output = run_cli(&db, &["import", "schools", path.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("3 created"));
    assert_eq!(db::schools::count_all(&mut conn).unwrap(), 3);

    let missing = run_cli(&db, &["import", "users", "/no/such/file.csv"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("could not read /no/such/file.csv"));
}
