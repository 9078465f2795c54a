//! Tone posts (anger, distress, grievances) and the hard negatives: posts that look risky to
//! a naive checker but are fine.

use crate::positives::nhs;
use crate::vocab::*;
use crate::{Post, Rng, check_digit};

fn repeat(rng: &mut Rng, out: &mut Vec<Post>, n: usize, f: impl Fn(&mut Rng) -> Post) {
    for _ in 0..n {
        out.push(f(rng));
    }
}

pub fn tone_positives(rng: &mut Rng, out: &mut Vec<Post>) {
    const ANGRY: &[&str] = &[
        "Absolutely fuming after that shift. No break, no water, nothing.",
        "I can't do this anymore. Cried in the car again before I could even drive home.",
        "So sick of being shouted at for things I have no control over.",
        "WHY is there NEVER any PPE in the store cupboard?! Every. Single. Night.",
        "Honestly at breaking point. Thinking about handing in my notice tomorrow.",
        "Livid. Thirteen hours on my feet and then told off for being two minutes late.",
        "I hate this job some days and today is definitely one of those days",
        "FFS. Third time the computers have crashed tonight and nobody is coming.",
        "Had enough. Can't cope with another night like that one.",
        "Angry doesn't even begin to cover how I feel right now",
        "Sobbing in the staff toilets after that, can't stop shaking",
        "Seething. Someone took my lunch from the fridge AGAIN.",
        "Furious that we were left with two nurses for 28 patients. Unsafe and disgraceful.",
        "Completely broken after this week. I don't know how much longer I can keep going like this.",
        "Want to scream. Four hours on hold to get a bed and then it gets given away",
        "This is bloody ridiculous, the lifts have been broken for a week!!",
        "Fed up to the back teeth of doing three people's jobs",
        "Crying in the sluice at 4am because I am so exhausted and nobody cares",
        "Pissed off does not cover it. Annual leave rejected for the third time.",
        "I'm so done. Absolutely done with this place.",
    ];
    repeat(rng, out, 60, |r| Post::pos(r.pick(ANGRY).to_string(), &["negative_emotion"]));
    const GRIEVANCES: &[&str] = &[
        "Our management are useless, they never listen to the staff on the floor.",
        "This trust treats us like dirt and expects us to smile about it.",
        "The consultants here are so arrogant, half of them never answer their bleeps.",
        "My line manager has been bullying me for months and HR don't care.",
        "Senior leadership couldn't care less about safe staffing on nights.",
        "Agency staff on our unit are lazy, sat on their phones all shift.",
        "Ward manager plays favourites with the rota, it's so unfair on the rest of us.",
        "Frequent flyers again tonight, same faces every weekend.",
        "The night staff never finish their jobs and leave it all for us.",
        "Bosses at this hospital should be ashamed of how they treat their nurses.",
        "Another restructure from management who haven't a clue what we actually do.",
        "Relatives on this ward are so entitled, demanding updates every five minutes.",
        "Toxic culture on this unit and nobody at the top wants to hear it.",
        "The execs clap for us on TV and then cut our unsocial hours. Pathetic.",
        "Time wasters clogging up A&E with colds at 3am.",
        "Our matron blames us for everything and takes the credit for the rest.",
    ];
    repeat(rng, out, 45, |r| {
        let t = r.pick(GRIEVANCES);
        // Some grievances are also written in anger: label that where the words say so.
        let angry = ["Pathetic", "sick of"].iter().any(|w| t.contains(w));
        if angry {
            Post::pos(t.to_string(), &["grievance", "negative_emotion"])
        } else {
            Post::pos(t.to_string(), &["grievance"])
        }
    });
}

fn invalid_nhs(rng: &mut Rng) -> String {
    loop {
        let first9 = format!("{}{}", ["4", "6", "7"][rng.below(3)], rng.digits(8));
        let check = check_digit(&first9);
        let bad = (0..10u32).find(|&d| Some(d) != check).unwrap_or(0);
        let wrong = (bad + 1 + rng.below(8) as u32) % 10;
        if Some(wrong) != check {
            let d = format!("{first9}{wrong}");
            return if rng.chance(50) { format!("{} {} {}", &d[..3], &d[3..6], &d[6..]) } else { d };
        }
    }
}

pub fn generate(rng: &mut Rng, out: &mut Vec<Post>) {
    repeat(rng, out, 50, |r| {
        let n = invalid_nhs(r);
        let t = match r.below(5) {
            0 => format!("The NHS number on the training slides is {n}, it's made up"),
            1 => format!("Reference {n} for the housing repair, still no plumber"),
            2 => format!("Anyone else's payslip show {n} as the employee ref?"),
            3 => format!("Scanned barcode {n} and the stock system crashed"),
            _ => format!("Library loan {n} is overdue apparently"),
        };
        Post::neg(t, "checksum_fail")
    });
    repeat(rng, out, 30, |r| {
        let d = char::from(b'0' + r.below(10) as u8);
        let n: String = std::iter::repeat_n(d, 10).collect();
        let shown = if r.chance(50) { format!("{} {} {}", &n[..3], &n[3..6], &n[6..]) } else { n };
        let t = match r.below(4) {
            0 => format!("Test patient NHS number {shown} in the training system"),
            1 => format!("Use {shown} for the dummy record when practising"),
            2 => format!("EPR shows {shown} for unknown patients, worth knowing"),
            _ => format!("Why does the form default to NHS no {shown}?"),
        };
        Post::neg(t, "repeated_digits")
    });
    repeat(rng, out, 50, |r| {
        let ts = 1_700_000_000 + r.below(99_999_999);
        let t = match r.below(6) {
            0 => format!("Log shows 2024-03-{:02} 14:32:07 for the last obs entry, IT are looking", 1 + r.below(28)),
            1 => format!("App crashed at timestamp {ts}, ticket raised"),
            2 => {
                format!("Shift pattern: 07:30 to 20:00 on {:02}/0{}/2024, then nights", 1 + r.below(28), 1 + r.below(9))
            }
            3 => format!("Epoch {ts} in the export file, anyone know how to convert?"),
            4 => format!("Clinic moved to {}/{}/2025 at 09:15", 1 + r.below(28), 1 + r.below(12)),
            _ => format!("Updated {}:{:02} on {} March", 8 + r.below(12), r.below(60), 1 + r.below(28)),
        };
        Post::neg(t, "timestamp")
    });
    repeat(rng, out, 50, |r| {
        let t = match r.below(7) {
            0 => format!("Order number {} still hasn't arrived from supplies", r.digits(10)),
            1 => format!("My GMC number is {} if the rota team need it", 1_000_000 + r.below(8_999_999)),
            2 => format!(
                "NMC PIN {}{}{}{} - revalidation done!",
                r.digits(2),
                ["A", "B", "C", "D", "E"][r.below(5)],
                r.digits(4),
                ["A", "B", "C", "D", "E"][r.below(5)]
            ),
            3 => format!("Invoice {} for the conference has been paid", r.digits(9)),
            4 => format!("Tracking ref {} says out for delivery", r.digits(12)),
            5 => format!("Datix {} submitted about the broken hoist", r.digits(6)),
            _ => format!("Course code {}{} booked for March", ["NUR", "MED", "AHP"][r.below(3)], r.digits(5)),
        };
        Post::neg(t, "order_or_registration")
    });
    repeat(rng, out, 40, |r| {
        let t = match r.below(6) {
            0 => format!("Bleep {} if you need the reg tonight", 1000 + r.below(8999)),
            1 => format!("Call ext {} for the bed manager", 20000 + r.below(9999)),
            2 => format!("Site manager is on bleep {} or x{}", 1000 + r.below(8999), 1000 + r.below(8999)),
            3 => format!("Switchboard, then ask for extension {}", 2000 + r.below(7999)),
            4 => format!("Fast bleep {} for the crash team, 2222 for arrests", 100 + r.below(899)),
            _ => format!("New pharmacy bleep is {}, old one is dead", 1000 + r.below(8999)),
        };
        Post::neg(t, "bleep_extension")
    });
    const ORG: &[&str] = &[
        "Feeling low? Call NHS 111, or 999 in an emergency.",
        "Samaritans are there day or night on 116 123.",
        "Macmillan Support Line: 0808 808 00 00, seven days a week.",
        "Questions about your appointment? PALS on 0800 123 4567 or pals@example.nhs.uk",
        "Our switchboard is 020 7946 0000 if you need to reach a ward.",
        "Email enquiries@example.nhs.uk for visiting times.",
        "Shout: text SHOUT to 85258 for free, confidential support.",
        "Mind infoline 0300 123 3393, lines open 9am to 6pm.",
        "For media enquiries contact press.office@example.nhs.uk",
        "Flu clinics: book via the appointments line on 0161 496 0000.",
        "Visit us at St Mary's Hospital, Praed Street, London W2 1NY.",
        "The conference is at 1 Victoria Street, London SW1H 0ET on Friday.",
        "Staff support hub: wellbeing@example.nhs.uk or extension 4455.",
        "Our new clinic is at 22 Station Road, opposite the library.",
        "Call the ward on 0113 496 0999 to check visiting before you travel.",
        "Parkinson's UK helpline 0808 800 0303 is brilliant for carers.",
    ];
    repeat(rng, out, 55, |r| Post::neg(r.pick(ORG).to_string(), "org_contact"));
    repeat(rng, out, 50, |r| {
        let p = r.pick(PUBLIC);
        let t = match r.below(6) {
            0 => format!("{p} visited the hospital today and talked about workforce plans"),
            1 => format!("Not sure what {p} thinks the pay offer will fix"),
            2 => format!("Reading about {p} on the train, what a story"),
            3 => format!("Interesting speech by {p} about the NHS at 75"),
            4 => "Florence Nightingale was born on 12 May 1820, hence International Nurses Day".to_string(),
            _ => "The NHS was born on 5 July 1948. Happy birthday to us!".to_string(),
        };
        Post::neg(t, "public_figure")
    });
    repeat(rng, out, 70, |r| {
        let g = r.pick(GIVEN);
        let s = r.pick(SURNAMES);
        let role = r.pick(ROLES);
        let ward = r.pick(WARDS);
        let t = match r.below(9) {
            0 => format!("Huge thanks to {g}, our {role}, for staying late to help"),
            1 => format!("Shout out to {g} {s} on {ward} for covering my shift at no notice"),
            2 => format!("Congratulations to Sister {s} on her retirement after 40 years!"),
            3 => format!("{g}, our {role}, is the reason I survived my first night shift"),
            4 => format!("Welcome to the team {g}! Lovely to have another {role} with us"),
            5 => format!("Massive well done to {g} {s} for passing her exams"),
            6 => format!("Dr {s} gave the best teaching session on sepsis today"),
            7 => format!("Proud of {g} for winning {role} of the year at the staff awards"),
            _ => format!("Our {role} {g} baked cakes for the whole department. Legend."),
        };
        Post::neg(t, "staff_praise")
    });
    repeat(rng, out, 50, |r| {
        let e = r.pick(EPONYMS);
        let t = match r.below(6) {
            0 => format!("Great study day on {e} today, learned loads"),
            1 => format!("Patients with {e} often wait years for a diagnosis"),
            2 => format!("Smith et al. (2021) found better outcomes with early referral for {e}"),
            3 => format!("Anyone got good patient leaflets on {e}?"),
            4 => format!("It's awareness week for {e} - wear something blue!"),
            _ => format!("Teaching the students about {e} this afternoon"),
        };
        Post::neg(t, "eponym")
    });
    repeat(rng, out, 40, |r| {
        let w = r.pick(WARD_NAMES);
        let w2 = r.pick(WARD_NAMES);
        let t = match r.below(5) {
            0 => format!("{w} is recruiting band 5 nurses - come and join us!"),
            1 => format!("Celebrating ten years of {w} today with cake"),
            2 => format!("Moving from {w} to {w2} next month, going to miss everyone"),
            3 => format!("The refurb on {w} looks amazing, new bathrooms and all"),
            _ => format!("Staff on {w} raised £2,000 for the hospice"),
        };
        Post::neg(t, "ward_name")
    });
    const RECIPES: &[&str] = &[
        "High-protein porridge: 50g oats, 300ml whole milk, 1 tbsp peanut butter. About 450 kcal and 18g protein.",
        "Low-sugar flapjacks: 200g oats, 2 mashed bananas, 50g raisins. Bake at 180C for 25 mins.",
        "Fortified mash for poor appetites: add 25g butter and 2 tbsp milk powder per 200g potato.",
        "Easy lentil soup: 1 onion, 2 carrots, 150g red lentils, 1.2 litres stock, 30 mins. Serves 4.",
        "Quick snack swap: 30g unsalted nuts instead of crisps, 170 kcal and 6g protein.",
        "Smoothie for dysphagia (IDDSI level 3): 150ml yoghurt, 1 banana, 100ml milk, blend well.",
        "Overnight oats: 40g oats, 100ml milk, 100g yoghurt, berries. Leave in the fridge 8 hours.",
        "Batch cook tip: chilli with 500g mince, 2 tins beans, 1 tin tomatoes freezes for 3 months.",
    ];
    repeat(rng, out, 35, |r| Post::neg(r.pick(RECIPES).to_string(), "dietitian_recipe"));
    const SAD: &[&str] = &[
        "We lost a patient tonight after a long fight. It was a privilege to be with her and her family at the end. Look after yourselves.",
        "Sad day on the ward. A lovely gentleman we'd cared for since March died peacefully this morning. Proud of how the team looked after him.",
        "First death as a newly qualified nurse today. I'm sad, but I know we kept him comfortable and gave him dignity. Debrief helped.",
        "Heartbroken for the family we supported tonight. Grateful to work with such kind colleagues.",
        "End of life care is the most important thing we do. Tonight was hard but it was peaceful.",
        "Cried in the car on the way home, and that's OK. Caring means it matters.",
        "Thinking of the families we've said goodbye to this week. It's an honour to be there.",
        "Lost one of our long-term patients today. The ward feels quieter. Rest in peace.",
        "Tough shift. Two deaths, both peaceful, both with family there. Tea and a debrief with the team after.",
        "Sometimes all you can do is hold a hand. Grief is the price of caring.",
    ];
    repeat(rng, out, 55, |r| Post::neg(r.pick(SAD).to_string(), "sad_professional"));
    const NEWS: &[&str] = &[
        "New NICE guidance on sarcoma referrals published today.",
        "Mesothelioma rates are falling in the UK, according to a new report.",
        "Study: people over 65 with motor neurone disease wait longest for equipment.",
        "Measles cases rising again - check your MMR status.",
        "Great BBC piece on living with Huntington's disease.",
        "Survey finds 4 in 10 nurses feel angry about pay, says RCN.",
        "Cystic fibrosis drug approved for children aged 2 and over.",
        "New research on early-onset dementia in under-65s is really promising.",
        "Tuberculosis screening for new entrants to be expanded next year.",
        "Report: bullying in the NHS remains widespread, staff survey shows.",
    ];
    repeat(rng, out, 45, |r| Post::neg(r.pick(NEWS).to_string(), "condition_news"));
    const EVERYDAY: &[&str] = &[
        "Lovely sunny walk after a run of nights. Bed now.",
        "Anyone got tips for revalidation reflections?",
        "The new coffee machine in the canteen is a game changer",
        "A patient made me a thank you card today and I'm keeping it forever",
        "Three shifts in a row done, time for a long bath",
        "Who else is going to the RCN congress this year?",
        "Our ward won the hand hygiene award this month!",
        "Bay 3 is getting a deep clean tomorrow so we're moving beds around",
        "Ward 12 are recruiting, message me if interested",
        "Handover at 7:30 sharp please, not 7:45",
    ];
    repeat(rng, out, 40, |r| Post::neg(r.pick(EVERYDAY).to_string(), "everyday"));
    repeat(rng, out, 15, |r| {
        let t = [
            "Team photo from the awards night",
            "Our new garden for patients and staff",
            "Look at this sunset from the roof",
            "Cake sale raised £400!",
        ];
        let mut p = Post::neg(r.pick(&t).to_string(), "photo_confirmed");
        p.media = Some(true);
        p
    });
    let _ = nhs;
}
