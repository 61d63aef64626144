"""Names and equality-monitoring categories for the demo workforce. Pure data.

Names are grouped by background so that a person's name and recorded ethnicity agree,
and the mix looks like an English NHS trust's (with its international recruitment).
Ethnicity labels follow the NHS data dictionary's categories.
"""


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FEMALE = "Female"
MALE = "Male"

# background -> (female first names, male first names, last names)
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "white_british": (
        _w(
            "Emma Sarah Claire Laura Rebecca Hannah Jessica Charlotte Sophie Rachel Emily "
            "Lucy Helen Amy Victoria Kate Joanne Nicola Gemma Louise Karen Susan Julie Lisa "
            "Amanda Jennifer Natalie Kirsty Danielle Zoe Megan Chloe Abigail Bethany Katie "
            "Fiona Alison Catherine Elizabeth Ruth Jane Tracey Michelle Samantha Stacey "
            "Leanne Hayley Holly Olivia Grace Ellie Molly Amelia Lauren Jade Kelly Paula "
            "Wendy Deborah Carol Janet Margaret Lynn Harriet Eleanor Philippa"
        ),
        _w(
            "James John David Michael Paul Andrew Mark Richard Daniel Thomas Matthew "
            "Christopher Robert Stephen Peter Simon Ian Gary Steven Jonathan Adam Ben Luke "
            "Jack Oliver Harry Samuel Joe Ryan Liam Craig Neil Martin Philip Graham Kevin "
            "Alan Nathan George William Edward Alex"
        ),
        _w(
            "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright "
            "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Harris "
            "Lewis Hughes Edwards Turner Hill Moore Cooper Ward Morris King Watson Harrison "
            "Morgan Baker Young Allen Mitchell Bell Shaw Cook Richardson Parker Bennett "
            "Marshall Collins Bailey Carter Cox Holmes Price Webb Barnes Fletcher Knight "
            "Mason Palmer Hunt Lloyd Chapman Russell Griffiths Ellis Stevens Dixon Fox "
            "Pearson Hudson Rose Fisher Gibson Owen Spencer Porter Dawson Atkinson Butler "
            "Lawrence Hart Sutton Dean Marsh"
        ),
    ),
    "white_irish": (
        _w("Aoife Siobhan Niamh Ciara Roisin Orla Mairead Sinead Grainne"),
        _w("Sean Ciaran Declan Padraig Conor Eoin Niall Cormac Donal"),
        _w(
            "Murphy O'Brien Byrne Ryan O'Sullivan Walsh McCarthy Doyle Kennedy Quinn "
            "Gallagher Brennan Fitzgerald Nolan O'Connor"
        ),
    ),
    "white_other": (
        _w(
            "Anna Katarzyna Magdalena Agnieszka Maria Ioana Elena Ana Sofia Marta Eleni "
            "Giulia Ines Lucia Monika Kristina"
        ),
        _w(
            "Piotr Tomasz Marek Andrei Mihai Jose Joao Pedro Marco Nikos Lukas Pawel Stefan "
            "Javier Luca"
        ),
        _w(
            "Nowak Wojcik Popescu Ionescu Silva Santos Ferreira Garcia Fernandez Rossi "
            "Russo Papadopoulos Novak Horvat Muller Schmidt Costa Martinez Lewandowski "
            "Dumitru"
        ),
    ),
    "indian": (
        _w(
            "Priya Anjali Deepa Sunita Neha Pooja Kavita Anita Divya Meera Shreya Lakshmi "
            "Jincy Reshma Smitha Bincy Anu Sini"
        ),
        _w(
            "Rahul Amit Sanjay Vikram Arjun Rajesh Suresh Anil Ravi Deepak Jibin Jithin "
            "Sajan Manoj Arun"
        ),
        _w(
            "Patel Sharma Singh Kumar Shah Gupta Mehta Nair Menon Joseph Varghese Mathew "
            "Pillai Reddy Iyer Desai Rao Chopra George Kurian"
        ),
    ),
    "pakistani": (
        _w("Ayesha Fatima Sana Saima Nadia Amina Zainab Hina Maryam"),
        _w("Imran Asif Bilal Usman Kamran Tariq Omar Faisal Adnan"),
        _w("Khan Hussain Ahmed Ali Iqbal Malik Akhtar Mahmood Qureshi Butt Rashid Aslam"),
    ),
    "bangladeshi": (
        _w("Nusrat Farhana Shirin Ruksana Tahmina Sabina Jahanara"),
        _w("Rahim Shafiq Abdul Rafiq Jamal Sohel Mizanur"),
        _w("Rahman Islam Miah Uddin Chowdhury Hoque Alam Ahmed"),
    ),
    "filipino": (
        _w("Maria Jocelyn Rowena Jennifer Cherry Liezl Analyn Kristine Joy Marites Rhea"),
        _w("Mark Jerome Ronaldo Jomar Christian Rommel Jericho Arnel"),
        _w(
            "Santos Reyes Cruz Bautista Garcia Mendoza Magbanua Villanueva Ramos Aquino "
            "Castillo Flores Manalo Soriano"
        ),
    ),
    "african": (
        _w(
            "Chioma Ngozi Adaeze Funmilayo Blessing Abena Ama Folake Nkechi Chiamaka "
            "Rutendo Esi Yetunde Tendai Grace Precious"
        ),
        _w(
            "Oluwaseun Chinedu Emeka Kwame Kofi Tunde Babajide Femi Samuel Ikenna Obinna "
            "Yaw Tinashe Kelechi"
        ),
        _w(
            "Okafor Adeyemi Okonkwo Mensah Osei Boateng Adebayo Eze Nwosu Owusu Asante "
            "Ogunleye Moyo Ncube Banda Mwangi Chikwanha Oyelaran"
        ),
    ),
    "caribbean": (
        _w("Marcia Simone Tanya Jasmine Keisha Shanice Paulette Beverley"),
        _w("Marlon Delroy Winston Andre Leon Jermaine Curtis Dwayne"),
        _w(
            "Campbell Francis Grant Clarke Thomas Henry Reid Bailey Gordon Powell Richards "
            "Samuels Forbes"
        ),
    ),
    "chinese": (
        _w("Mei Xin Yan Hui Ling Jing"),
        _w("Wei Jun Hao Ming Jian Kai"),
        _w("Wang Li Zhang Chen Liu Wong Chan Lam Ng Cheung"),
    ),
    "arab": (
        _w("Layla Yasmin Noor Rania Huda Salma"),
        _w("Ahmed Karim Hassan Youssef Samir Khalid"),
        _w("Haddad Hassan Mansour Saleh Nasser Abdullah Farouk"),
    ),
}

# ethnicity label -> (name background for first name, for last name)
ETHNICITIES: dict[str, tuple[str, str]] = {
    "White - British": ("white_british", "white_british"),
    "White - Irish": ("white_irish", "white_irish"),
    "White - Any other White background": ("white_other", "white_other"),
    "Mixed - White and Black Caribbean": ("white_british", "caribbean"),
    "Mixed - White and Black African": ("african", "white_british"),
    "Mixed - White and Asian": ("white_british", "indian"),
    "Mixed - Any other mixed background": ("white_other", "filipino"),
    "Asian or Asian British - Indian": ("indian", "indian"),
    "Asian or Asian British - Pakistani": ("pakistani", "pakistani"),
    "Asian or Asian British - Bangladeshi": ("bangladeshi", "bangladeshi"),
    "Asian or Asian British - Any other Asian background": ("filipino", "filipino"),
    "Black or Black British - Caribbean": ("caribbean", "caribbean"),
    "Black or Black British - African": ("african", "african"),
    "Other Ethnic Groups - Chinese": ("chinese", "chinese"),
    "Other Ethnic Groups - Any other ethnic group": ("arab", "arab"),
    "Not stated": ("white_british", "white_british"),
}

# Percentages, roughly the NHS England workforce; nursing and medicine recruit more
# internationally, so their mix differs.
ETHNICITY_MIX_DEFAULT: dict[str, float] = {
    "White - British": 62.0,
    "White - Irish": 1.0,
    "White - Any other White background": 7.0,
    "Mixed - White and Black Caribbean": 0.8,
    "Mixed - White and Black African": 0.5,
    "Mixed - White and Asian": 0.7,
    "Mixed - Any other mixed background": 0.6,
    "Asian or Asian British - Indian": 6.5,
    "Asian or Asian British - Pakistani": 2.2,
    "Asian or Asian British - Bangladeshi": 0.8,
    "Asian or Asian British - Any other Asian background": 3.0,
    "Black or Black British - Caribbean": 1.6,
    "Black or Black British - African": 6.5,
    "Other Ethnic Groups - Chinese": 0.7,
    "Other Ethnic Groups - Any other ethnic group": 1.6,
    "Not stated": 3.5,
}
ETHNICITY_MIX_NURSING: dict[str, float] = {
    **ETHNICITY_MIX_DEFAULT,
    "White - British": 52.0,
    "Asian or Asian British - Indian": 11.0,
    "Asian or Asian British - Any other Asian background": 7.5,
    "Black or Black British - African": 10.0,
}
ETHNICITY_MIX_MEDICAL: dict[str, float] = {
    **ETHNICITY_MIX_DEFAULT,
    "White - British": 40.0,
    "White - Any other White background": 9.0,
    "Asian or Asian British - Indian": 16.0,
    "Asian or Asian British - Pakistani": 7.0,
    "Black or Black British - African": 8.0,
    "Other Ethnic Groups - Chinese": 2.0,
    "Other Ethnic Groups - Any other ethnic group": 4.0,
}

DISABILITY_MIX = {"No": 82.0, "Yes": 6.0, "Not declared": 5.0, "": 7.0}

AGE_BANDS = (
    (16, 20, "16-20"),
    (21, 25, "21-25"),
    (26, 30, "26-30"),
    (31, 35, "31-35"),
    (36, 40, "36-40"),
    (41, 45, "41-45"),
    (46, 50, "46-50"),
    (51, 55, "51-55"),
    (56, 60, "56-60"),
    (61, 65, "61-65"),
    (66, 120, "66 and over"),
)

# Names for wards and units, used in turn.
WARD_NAMES = _w(
    "Ash Beech Birch Cedar Elm Hazel Holly Juniper Larch Maple Oak Rowan Sycamore "
    "Willow Yew Alder Aspen Cherry Chestnut Hawthorn Hornbeam Laurel Linden "
    "Magnolia Poplar Spruce Walnut Bluebell Clover Foxglove Heather Iris Jasmine "
    "Lavender Primrose Snowdrop Bramble Fern Kestrel Heron Kingfisher Lark Robin "
    "Swallow Wren Nightingale Osprey Skylark Starling Swift Mulberry Damson Quince "
    "Medlar Sorrel Tansy Yarrow Teasel Campion Thistle"
)
