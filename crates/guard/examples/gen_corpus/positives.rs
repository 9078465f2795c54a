//! Posts that should be reported, with their labels.

use crate::vocab::*;
use crate::{Post, Rng, check_digit};

fn spaced(rng: &mut Rng, d: &str) -> String {
    match rng.below(4) {
        0 | 1 => format!("{} {} {}", &d[..3], &d[3..6], &d[6..]),
        2 => d.to_string(),
        _ => format!("{}-{}-{}", &d[..3], &d[3..6], &d[6..]),
    }
}

fn valid_with_prefix(rng: &mut Rng, prefix: &str) -> String {
    loop {
        let first9 = format!("{prefix}{}", rng.digits(9 - prefix.len()));
        if let Some(c) = check_digit(&first9) {
            let d = format!("{first9}{c}");
            let distinct = d.bytes().collect::<std::collections::BTreeSet<_>>().len();
            if distinct > 3 {
                return d;
            }
        }
    }
}

pub fn nhs(rng: &mut Rng) -> String {
    let prefix = ["4", "6", "7", "4", "6", "7", "9", "5", "8"];
    let p = prefix[rng.below(prefix.len())];
    let d = valid_with_prefix(rng, p);
    spaced(rng, &d)
}

fn chi(rng: &mut Rng) -> String {
    let day = 1 + rng.below(28);
    let month = 1 + rng.below(12);
    let year = rng.below(100);
    let d = valid_with_prefix(rng, &format!("{day:02}{month:02}{year:02}"));
    if rng.chance(70) { d } else { format!("{} {}", &d[..6], &d[6..]) }
}

fn hc(rng: &mut Rng) -> String {
    let p = format!("3{}", 2 + rng.below(8));
    let d = valid_with_prefix(rng, &p);
    spaced(rng, &d)
}

fn nino(rng: &mut Rng) -> String {
    const FIRST: &[u8] = b"ABCEGHJKLMNOPRSTWXYZ";
    const SECOND: &[u8] = b"ABCEGHJKLMNPRSTWXYZ";
    loop {
        let a = FIRST[rng.below(FIRST.len())] as char;
        let b = SECOND[rng.below(SECOND.len())] as char;
        let pair = format!("{a}{b}");
        if ["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].contains(&pair.as_str()) {
            continue;
        }
        let d = rng.digits(6);
        if d == "123456" {
            continue;
        }
        let s = ["A", "B", "C", "D"][rng.below(4)];
        return if rng.chance(50) {
            format!("{pair} {} {} {} {s}", &d[..2], &d[2..4], &d[4..])
        } else {
            format!("{pair}{d}{s}")
        };
    }
}

fn hosp(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!("K{}", rng.digits(7)),
        1 => format!("RX{}", rng.digits(7)),
        2 => format!("{}", 10_000_000 + rng.below(89_999_999)),
        3 => format!("A{}", rng.digits(6)),
        _ => format!("{} {}", rng.digits(3), rng.digits(4)),
    }
}

fn dob(rng: &mut Rng) -> String {
    let d = 1 + rng.below(28);
    let m = 1 + rng.below(12);
    let y = 1925 + rng.below(80);
    let months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let suffix = match d {
        1 | 21 => "st",
        2 | 22 => "nd",
        3 | 23 => "rd",
        _ => "th",
    };
    match rng.below(5) {
        0 => format!("{d:02}/{m:02}/{y}"),
        1 => format!("{d}{suffix} {} {y}", months[m - 1]),
        2 => format!("{} {d}, {y}", months[m - 1]),
        3 => format!("{y}-{m:02}-{d:02}"),
        _ => format!("{d}/{m}/{}", y % 100),
    }
}

fn person(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("{} {}", rng.pick(TITLES), rng.pick(SURNAMES)),
        1 => format!("{} {}", rng.pick(GIVEN), rng.pick(SURNAMES)),
        2 => rng.pick(GIVEN).to_string(),
        _ => format!("{} {} {}", rng.pick(TITLES), rng.pick(GIVEN), rng.pick(SURNAMES)),
    }
}

fn repeat(rng: &mut Rng, out: &mut Vec<Post>, n: usize, f: impl Fn(&mut Rng) -> Post) {
    for _ in 0..n {
        out.push(f(rng));
    }
}

pub fn generate(rng: &mut Rng, out: &mut Vec<Post>) {
    // National identifiers.
    repeat(rng, out, 60, |r| {
        let n = nhs(r);
        let t = match r.below(10) {
            0 => format!("NHS number {n} - results are back, can someone on late shift chase them?"),
            1 => format!("Patient's NHS no is {n} if anyone from the lab sees this"),
            2 => format!("Typed {n} into the wrong box again. Classic night shift brain."),
            3 => format!("Lost a wristband with {n} on it near the canteen, has anyone handed it in?"),
            4 => format!("nhs no. {n} - still awaiting a bed upstairs"),
            5 => format!("Can someone check {n} on the Spine? PDS has an old address"),
            6 => format!("{n} is the one I need the discharge letter for, cheers"),
            7 => format!("Does anyone know if {n} had a flu jab recorded? Asking for the clinic"),
            8 => format!("Referral for NHS #{n} bounced back AGAIN"),
            _ => format!("Copying this here so I don't lose it: {n}"),
        };
        Post::pos(t, &["nhs_number"])
    });
    repeat(rng, out, 20, |r| {
        let n = chi(r);
        let place = r.pick(SCOTTISH);
        let t = match r.below(5) {
            0 => format!("CHI {n} - bloods due at 6, lab is slow tonight"),
            1 => format!("Covering in {place} this week; the CHI is {n}"),
            2 => format!("Can someone in {place} look up {n} for me please?"),
            3 => format!("chi no {n} needs a repeat CT before the MDT"),
            _ => format!("Scottish referral came through with CHI number {n} but no GP details"),
        };
        Post::pos(t, &["chi_number"])
    });
    repeat(rng, out, 15, |r| {
        let n = hc(r);
        let place = r.pick(NI_PLACES);
        let t = match r.below(4) {
            0 => format!("H&C number {n}, GP letter missing - anyone in {place} know who to call?"),
            1 => format!("Colleague in {place} asked me to check {n} on the record system"),
            2 => format!("Health and Care number {n}: please update the allergy status"),
            _ => format!("HCN {n} transferred from {place} today"),
        };
        Post::pos(t, &["hc_number"])
    });
    repeat(rng, out, 20, |r| {
        let n = nino(r);
        let t = match r.below(5) {
            0 => format!("Helping a patient fill in his PIP form, NI number {n}"),
            1 => format!("National Insurance no: {n} (for the benefits referral)"),
            2 => format!("Found a letter with {n} on it in the day room, who does it belong to?"),
            3 => format!("Payroll still has my NI as {n} even though I sent the form twice"),
            _ => format!("Social worker needs NINO {n} before Friday"),
        };
        Post::pos(t, &["nino"])
    });
    repeat(rng, out, 30, |r| {
        let n = hosp(r);
        let t = match r.below(7) {
            0 => format!("MRN {n} - can pharmacy check the TTOs please?"),
            1 => format!("Hospital number {n} needs a new wristband, the old one is illegible"),
            2 => format!("unit no. {n} is booked for theatre tomorrow morning"),
            3 => format!("Hosp no: {n}. Notes are missing from the trolley"),
            4 => format!("Pt ID {n} still waiting for transport home"),
            5 => format!("Anyone seen the casenotes for hospital no {n}?"),
            _ => format!("Record number {n} has two allergy lists that don't match"),
        };
        Post::pos(t, &["hospital_number"])
    });
    // Dates of birth.
    repeat(rng, out, 30, |r| {
        let d = dob(r);
        let t = match r.below(6) {
            0 => format!("DOB {d}, came in with chest pain, now on the cardiac ward"),
            1 => format!("She was born on {d} and still does the crossword every single day"),
            2 => format!("d.o.b. {d} - always check the wristband before giving meds!"),
            3 => format!("Date of birth {d} doesn't match the one on the referral"),
            4 => format!("Baby boy born {d}, 3.4kg, mum and baby doing well"),
            _ => format!("Lovely chat with a gent today, dob: {d}, sharp as a tack"),
        };
        Post::pos(t, &["date_of_birth"])
    });
    // Addresses.
    repeat(rng, out, 30, |r| {
        let num = 1 + r.below(140);
        let street = r.pick(STREETS);
        let town = r.pick(TOWNS);
        let pc = r.pick(POSTCODES);
        let t = match r.below(6) {
            0 => format!("Home visit to {num} {street}, {town} {pc} this afternoon, lovely lady"),
            1 => format!("She lives at {num} {street} and her neighbour found her on the floor"),
            2 => format!("Went to {num} {street} for a wound check and their dog nearly ate my bag"),
            3 => format!("He lives on {street} in {town}, anyone know the district nurses there?"),
            4 => format!("Collapsed outside his house at {num} {street}, brought in by ambulance"),
            _ => format!("Patient's postcode is {pc} but the system keeps sending letters elsewhere"),
        };
        Post::pos(t, &["address"])
    });
    // Phone numbers and email addresses.
    repeat(rng, out, 25, |r| {
        let m = if r.chance(60) { r.pick(MOBILES) } else { r.pick(LANDLINES) };
        let t = match r.below(6) {
            0 => format!("His daughter asked me to share her number {m} in case anyone finds his glasses"),
            1 => format!("Text me on {m} if you want to swap Saturday's shift"),
            2 => format!("Patient's wife's mobile is {m}, she isn't answering the ward phone"),
            3 => format!("Ring me at home on {m} if the rota changes"),
            4 => format!("NOK number {m} - please try again after 5"),
            _ => format!("My personal number is {m}, call any time"),
        };
        Post::pos(t, &["phone_number"])
    });
    repeat(rng, out, 20, |r| {
        let g = r.pick(GIVEN).to_lowercase();
        let s = r.pick(SURNAMES).to_lowercase().replace('\'', "");
        let d = r.pick(MAIL_DOMAINS);
        let addr = if r.chance(50) { format!("{g}.{s}@{d}") } else { format!("{g}{}@{d}", r.below(99)) };
        let t = match r.below(4) {
            0 => format!("Email me at {addr} for the swap list"),
            1 => format!("His son's email is {addr}, he wants updates"),
            2 => format!("Send the leaving-do photos to {addr} please"),
            _ => format!("If anyone has the rota spreadsheet, {addr} - ta"),
        };
        Post::pos(t, &["email_address"])
    });
    patient_names(rng, out);
    locations_and_combinations(rng, out);
    crate::negatives::tone_positives(rng, out);
}

fn patient_names(rng: &mut Rng, out: &mut Vec<Post>) {
    repeat(rng, out, 130, |r| {
        let p = person(r);
        let g = r.pick(GIVEN);
        let full = format!("{} {}", r.pick(GIVEN), r.pick(SURNAMES));
        let ts = format!("{} {}", r.pick(TITLES), r.pick(SURNAMES));
        let loc = r.pick(LOCS);
        let age = AGES[r.below(AGES.len())];
        let rel = ["daughter", "son", "wife", "husband", "granddaughter", "partner"][r.below(6)];
        match r.below(22) {
            0 => Post::pos(
                format!("{ts} in {loc} has been asking for tea all night"),
                &["patient_name", "care_location"],
            ),
            1 => Post::pos(format!("My patient {g} told me the best joke today"), &["patient_name"]),
            2 => Post::pos(format!("Looking after {full} again this week, she remembered my name!"), &["patient_name"]),
            3 => Post::pos(format!("The family of {full} brought in chocolates for the whole ward"), &["patient_name"]),
            4 => Post::pos(format!("{full}'s {rel} rang three times about visiting"), &["patient_name"]),
            5 => Post::pos(
                format!("A lady called {g} taught me to crochet while she waited for transport"),
                &["patient_name"],
            ),
            6 => Post::pos(format!("{g} ({age}) finally went home today after six weeks with us"), &["patient_name"]),
            7 => Post::pos(format!("Nursing {ts} through her last night. Such a gentle soul."), &["patient_name"]),
            8 => Post::pos(format!("{ts}, {age}, admitted overnight with a fractured hip"), &["patient_name"]),
            9 => Post::pos(format!("Service user {g} smashed his recovery goals today"), &["patient_name"]),
            10 => Post::pos(format!("Resident {g} turned {age} today, cake and all"), &["patient_name"]),
            11 => Post::pos(format!("Had to tell {ts}'s {rel} the news today. Never gets easier."), &["patient_name"]),
            12 => Post::pos(format!("Pt {full} refusing meds again, any tips?"), &["patient_name"]),
            13 => Post::pos(format!("Discharged {p} today after a really long stay!"), &["patient_name"]),
            14 => Post::pos(format!("The patient's {rel} {g} stayed with him all night"), &["patient_name"]),
            15 => Post::pos(format!("{p} in {loc} keeps pulling his cannula out"), &["patient_name", "care_location"]),
            16 => Post::pos(format!("Caring for {full} has been the highlight of my placement"), &["patient_name"]),
            17 => Post::pos(
                format!("An elderly gentleman named {g} sang to the whole bay this morning"),
                &["patient_name"],
            ),
            18 => Post::pos(format!("{full} was admitted again last night, third time this month"), &["patient_name"]),
            19 => Post::pos(
                format!("{ts} passed away peacefully this afternoon with her {rel} beside her"),
                &["patient_name"],
            ),
            20 => Post::pos(
                format!("Little {g}, {}, was so brave having her bloods done", age % 12 + 2),
                &["patient_name"],
            ),
            _ => Post::pos(format!("Our patient {full} finally got his hearing aids back!"), &["patient_name"]),
        }
    });
}

fn locations_and_combinations(rng: &mut Rng, out: &mut Vec<Post>) {
    repeat(rng, out, 35, |r| {
        let loc = r.pick(LOCS);
        let ward = r.pick(WARDS);
        let t = match r.below(7) {
            0 => format!("The gentleman in {loc} has been shouting all night"),
            1 => format!("She's been moved to {ward} and is settling in well"),
            2 => format!("Patient in {loc} keeps pulling his oxygen off"),
            3 => format!("The lady on {ward} who sings every morning made my day"),
            4 => format!("Transferred him from {loc} to {ward} at 3am"),
            5 => format!("Whoever the man in {loc} is, he has the loudest snore in the hospital"),
            _ => format!("Young lad in {loc} is finally sleeping after a rough night"),
        };
        Post::pos(t, &["care_location"])
    });
    repeat(rng, out, 25, |r| {
        let age = AGES[r.below(AGES.len())];
        let rare = r.pick(RARE);
        let ward = r.pick(WARDS);
        let time = r.pick(TIMES);
        let town = r.pick(TOWNS);
        match r.below(5) {
            0 => Post::pos(
                format!("The {age}-year-old with {rare} we admitted to {ward} {time} is doing better"),
                &["indirect_identifiers", "care_location"],
            ),
            1 => Post::pos(
                format!("A {age}-year-old retired teacher from {town} came in {time} with {rare}"),
                &["indirect_identifiers"],
            ),
            2 => Post::pos(
                format!("{time}: {age} year old from {town} with {rare}, first case I've ever seen"),
                &["indirect_identifiers"],
            ),
            3 => Post::pos(
                format!("Admitted a {age} yo local vicar with {rare} {time}. Fascinating case."),
                &["indirect_identifiers"],
            ),
            _ => Post::pos(
                format!("Never thought I'd see {rare} in a {age}-year-old, but {time} in {town} I did"),
                &["indirect_identifiers"],
            ),
        }
    });
    // Photos the author has not confirmed.
    repeat(rng, out, 15, |r| {
        let t = [
            "Look who's going home today!",
            "Best part of the job",
            "Our amazing team tonight",
            "Before and after - what a recovery",
            "Ward round view",
        ];
        let mut p = Post::pos(r.pick(&t).to_string(), &["photo_of_patient"]);
        p.media = Some(false);
        p
    });
}
